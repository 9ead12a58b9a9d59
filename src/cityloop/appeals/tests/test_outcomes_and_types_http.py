"""Honest outcomes and appeal types, as the API clients and the citizen meet them."""

from __future__ import annotations

from cityloop.appeals.models import Appeal
from cityloop.assessment.rates import city_outcomes, city_rates, monthly_ranking
from cityloop.kernel import clock
from cityloop.testing import intake_over_api, post_json, rated_appeal, recorded_actions


def _public(client, code):
    return client.get(f"/api/public/track/{code}").json()


def test_closing_a_rated_appeal_records_its_outcome(city):
    code = rated_appeal(city, resolved=True)
    closed = post_json(city.client("supervisor"), f"/api/appeals/{code}/close", {})
    assert closed.status_code == 200, closed.content
    assert closed.json()["outcome"] == "resolved"
    assert closed.json()["outcome_label"] == "已解决"


def test_unresolved_rating_then_centre_closes_it_not_fixed(city):
    code = rated_appeal(city, resolved=False)
    supervisor = city.client("supervisor")
    refused = post_json(supervisor, f"/api/appeals/{code}/close-unresolved", {"reason": " "})
    assert refused.status_code == 400
    assert "理由" in refused.json()["message"]
    assert Appeal.objects.get(tracking_code=code).status == "evaluated"

    done = post_json(
        supervisor, f"/api/appeals/{code}/close-unresolved", {"reason": "超出政策范围，无法解决"}
    )
    assert done.status_code == 200, done.content
    assert (done.json()["status"], done.json()["outcome"]) == ("closed", "unresolved")
    assert recorded_actions(code)[-1] == "close_unresolved"
    public = _public(city.client("calltaker"), code)
    assert public["outcome_label"] == "办结未解决"
    assert "办结未解决" in public["next_step"]
    assert "超出政策范围" in [e["note"] for e in public["timeline"]][-1]
    # counted apart: the unit's month shows one closed not fixed, none resolved
    (score,) = monthly_ranking(clock.this_month()).rows
    assert score.outcomes == {"unresolved": 1}
    assert city_outcomes(clock.this_month())["unresolved"] == 1


def test_close_unresolved_needs_an_unresolved_rating_and_the_right_role(city):
    code = rated_appeal(city, resolved=True)
    not_rated_so = post_json(
        city.client("supervisor"), f"/api/appeals/{code}/close-unresolved", {"reason": "政策外"}
    )
    assert not_rated_so.status_code == 400
    assert not_rated_so.json()["code"] == "not_rated_unresolved"
    code = rated_appeal(city, resolved=False)
    handler = post_json(
        city.client("handler1"), f"/api/appeals/{code}/close-unresolved", {"reason": "政策外"}
    )
    assert handler.status_code == 403
    assert Appeal.objects.get(tracking_code=code).outcome == ""


def test_consultation_answered_on_the_call_is_closed_at_once_and_is_no_units_case(city):
    created = intake_over_api(
        city,
        appeal_type="consultation",
        content="请问居住证怎么办理？",
        answer="居住证在居住地派出所办理，需身份证、租房合同和照片，10个工作日内可领取。",
        auto_dispatch=True,
    )
    assert created.status_code == 201, created.content
    code = created.json()["tracking_code"]
    appeal = Appeal.objects.get(tracking_code=code)
    assert (appeal.status, appeal.outcome, appeal.main_unit) == ("closed", "answered_on_call", None)
    assert recorded_actions(code) == ["receive", "answer_on_call"]
    public = _public(city.client("calltaker"), code)
    assert public["reply_text"].startswith("居住证在居住地派出所办理")
    assert public["appeal_type_label"] == "咨询"
    assert monthly_ranking(clock.this_month()).rows == []
    assert city_outcomes(clock.this_month())["answered_on_call"] == 1


def test_an_answer_is_only_for_a_consultation(city):
    refused = intake_over_api(city, appeal_type="help", answer="已告知")
    assert refused.status_code == 400
    assert refused.json()["field"] == "answer"
    unknown = intake_over_api(city, appeal_type="gossip")
    assert unknown.status_code == 400
    assert unknown.json()["field"] == "appeal_type"
    assert not Appeal.objects.exists()


def test_type_is_suggested_from_the_words_when_not_given(city):
    report = intake_over_api(city, content="举报光华路有人违规占道经营")
    assert Appeal.objects.get(tracking_code=report.json()["tracking_code"]).appeal_type == "report"
    plain = intake_over_api(city, content="小区门口路灯坏了")
    assert Appeal.objects.get(tracking_code=plain.json()["tracking_code"]).appeal_type == "help"


def test_praise_is_closed_with_thanks_and_shown_to_the_praised_unit(city):
    created = intake_over_api(
        city, appeal_type="praise", content="表扬建外街道及时修好了路灯", auto_dispatch=True
    )
    code = created.json()["tracking_code"]
    appeal = Appeal.objects.get(tracking_code=code)
    assert (appeal.status, appeal.outcome) == ("closed", "thanked")
    assert appeal.main_unit == city.street_offices[0]
    assert "感谢您的表扬" in appeal.reply_text
    seen = city.client("handler1").get(f"/api/appeals/{code}")
    assert seen.status_code == 200
    assert seen.json()["appeal_type"] == "praise"
    # nothing to do on it
    sign = post_json(city.client("handler1"), f"/api/appeals/{code}/sign-for")
    assert sign.status_code == 400


def test_a_report_hides_the_reporter_from_the_unit_not_from_the_centre(city):
    created = intake_over_api(
        city,
        appeal_type="report",
        caller_name="李举报",
        content="我是李举报，电话13800138000，举报光华路1号院门口占道经营",
        auto_dispatch=True,
    )
    code = created.json()["tracking_code"]
    unit_view = city.client("handler1").get(f"/api/appeals/{code}").json()
    assert unit_view["caller_name"] == "李**"
    assert unit_view["caller_phone"] == ""
    assert "李举报" not in unit_view["content"] and "13800138000" not in unit_view["content"]
    assert "占道经营" in unit_view["content"]
    timeline = city.client("handler1").get(f"/api/appeals/{code}/timeline").json()
    assert "13800138000" not in str(timeline) and "李举报" not in str(timeline)
    centre_view = city.client("calltaker").get(f"/api/appeals/{code}").json()
    assert (centre_view["caller_name"], centre_view["caller_phone"]) == ("李举报", "13800138000")
    # the same unit sees an ordinary appeal's caller
    other = intake_over_api(city, caller_name="王小明", auto_dispatch=True).json()["tracking_code"]
    assert city.client("handler1").get(f"/api/appeals/{other}").json()["caller_name"] == "王小明"
    # nor can the unit find who reported by looking the number up: the report is not listed
    by_number = {"HTTP_X_CALLER_PHONE": "13800138000"}
    unit_found = city.client("handler1").get("/api/appeals", **by_number).json()
    assert [a["tracking_code"] for a in unit_found] == [other]
    centre_found = city.client("calltaker").get("/api/appeals", **by_number).json()
    assert {a["tracking_code"] for a in centre_found} == {code, other}


def test_a_suggestion_is_rated_on_satisfaction_only_and_left_out_of_the_resolution_rate(city):
    created = intake_over_api(
        city, appeal_type="suggestion", content="建议光华路增设路灯", auto_dispatch=True
    )
    code = created.json()["tracking_code"]
    handler = city.client("handler1")
    post_json(handler, f"/api/appeals/{code}/sign-for")
    post_json(handler, f"/api/appeals/{code}/reply", {"text": "已采纳，列入明年计划"})
    appeal = Appeal.objects.get(tracking_code=code)
    digits = appeal.caller_phone[-4:]
    rated = post_json(
        city.client("calltaker"),
        f"/api/public/track/{code}/evaluation",
        {"phone_last4": digits, "contacted": True, "resolved": False, "satisfaction": "satisfied"},
    )
    assert rated.status_code == 200, rated.content
    assert rated.json()["status"] == "evaluated"  # "not resolved" does not reopen a suggestion
    assert rated.json()["rates_resolution"] is False
    rated_appeal(city, resolved=True)
    rates = city_rates(clock.this_month())
    assert (rates.valid, rates.rated_on_resolution, rates.resolved) == (2, 1, 1)
    assert rates.resolution_rate == 1.0
