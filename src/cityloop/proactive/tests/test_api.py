"""未诉先办 over the API: who may, and bad input answered 4xx with a message."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cityloop.proactive import services
from cityloop.proactive.models import MonthlyTopic
from cityloop.testing import instant, post_json


@pytest.fixture
def proposal(city):
    first = instant("2026-05-01T10:00:00+08:00")
    for i in range(3):
        city.receive(received_at=first + timedelta(days=i))
    return services.propose_recurring(as_of=date(2026, 5, 20), actor=city.actor("supervisor"))[0]


def test_the_centre_sees_every_proposal_a_unit_only_its_own(city, proposal):
    listed = city.client("supervisor").get("/api/proactive/proposals").json()
    assert [p["id"] for p in listed] == [proposal.pk]
    assert listed[0]["unit_code"] == city.street_offices[0].code
    assert city.client("handler2").get("/api/proactive/proposals").json() == []
    assert len(city.client("handler1").get("/api/proactive/proposals?status=proposed").json()) == 1


def test_an_unknown_status_is_refused(city):
    answer = city.client("supervisor").get("/api/proactive/proposals?status=maybe")
    assert answer.status_code == 400
    assert answer.json()["field"] == "status"


def test_accepting_over_the_api_gives_the_appeal(city, proposal):
    answer = post_json(
        city.client("supervisor"),
        f"/api/proactive/proposals/{proposal.pk}/accept",
        {"note": "汛期前处理"},
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["status"] == "accepted" and body["decided_by"] == "supervisor"
    detail = city.client("supervisor").get(f"/api/appeals/{body['appeal_code']}").json()
    assert detail["channel"] == "proactive"
    again = post_json(city.client("supervisor"), f"/api/proactive/proposals/{proposal.pk}/accept")
    assert again.status_code == 409


def test_another_units_proposal_is_not_found_and_an_analyst_may_not_decide(city, proposal):
    url = f"/api/proactive/proposals/{proposal.pk}/decline"
    assert post_json(city.client("handler2"), url, {"reason": "x"}).status_code == 404
    refused = post_json(city.client("analyst"), url, {"reason": "x"})
    assert refused.status_code == 403
    assert refused.json()["message"]


def test_declining_without_a_reason_is_refused(city, proposal):
    url = f"/api/proactive/proposals/{proposal.pk}/decline"
    assert post_json(city.client("supervisor"), url, {}).status_code == 422
    blank = post_json(city.client("supervisor"), url, {"reason": " "})
    assert blank.status_code == 400 and blank.json()["field"] == "reason"
    ok = post_json(city.client("handler1"), url, {"reason": "已纳入计划"})
    assert ok.json()["status"] == "declined"


def test_choosing_and_resolving_a_topic(city, analytics_store):
    city.receive(received_at=instant("2026-04-10T10:00:00+08:00"))
    analytics_store()
    supervisor = city.client("supervisor")
    listed = supervisor.get("/api/proactive/topics?month=2026-05").json()
    candidate = listed["candidates"][0]
    assert candidate["count"] == 1
    payload = {
        "month": "2026-05",
        "area_id": candidate["area_id"],
        "category_id": candidate["category_id"],
        "title": "路灯夜间不亮",
    }
    assert post_json(city.client("handler1"), "/api/proactive/topics", payload).status_code == 403
    made = post_json(supervisor, "/api/proactive/topics", payload)
    assert made.status_code == 201, made.content
    assert post_json(supervisor, "/api/proactive/topics", payload).status_code == 409
    topic = made.json()
    resolved = post_json(
        supervisor, f"/api/proactive/topics/{topic['id']}/resolve", {"note": "已更换"}
    )
    assert resolved.json()["status"] == "resolved"
    assert MonthlyTopic.objects.get().resolved_by == city.users["supervisor"]


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"month": "2026-13"}, 400, "month"),
        ({"area_id": 999999}, 400, "area"),
        ({"category_id": 999999}, 400, "category"),
        ({"title": " "}, 400, "title"),
        ({"title": "x" * 201}, 422, None),
    ],
)
def test_bad_topics_are_refused_with_a_message(city, change, status, field):
    payload = {
        "month": "2026-05",
        "area_id": city.streets[0].pk,
        "category_id": city.category("城乡建设").pk,
        "title": "t",
        **change,
    }
    answer = post_json(city.client("supervisor"), "/api/proactive/topics", payload)
    assert answer.status_code == status
    if field:
        assert answer.json()["field"] == field


def test_resolving_an_unknown_topic_is_not_found(city):
    answer = post_json(
        city.client("supervisor"), "/api/proactive/topics/424242/resolve", {"note": "x"}
    )
    assert answer.status_code == 404


def test_forecasts_for_analysts_not_handlers_and_a_bounded_horizon(city, analytics_store):
    from cityloop.kernel import clock

    for i in range(24):  # two a week over the last twelve weeks
        city.receive(received_at=clock.now() - timedelta(days=7 + 3.5 * i))
    analytics_store()
    analyst = city.client("analyst")
    found = analyst.get("/api/proactive/forecasts?horizon=3")
    assert found.status_code == 200
    assert [len(series["mean"]) for series in found.json()] == [3]
    assert analyst.get("/api/proactive/forecasts?horizon=9").status_code == 400
    assert city.client("handler1").get("/api/proactive/forecasts").status_code == 403
