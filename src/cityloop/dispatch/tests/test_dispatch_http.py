"""派单 over HTTP (API and page POSTs), as the dispatcher and the units drive it: the queue,
send-back and re-dispatch, co-handling units, the category and place set on the way."""

from __future__ import annotations

from datetime import timedelta

from cityloop.appeals.models import Appeal, AppealAssignment
from cityloop.kernel import clock
from cityloop.oversight.jobs import run_deadline_scan
from cityloop.oversight.models import SupervisionOrder
from cityloop.testing import instant, intake_over_api, post_json, timeline_actions


def _row_of(html: str, code: str) -> str:
    link = html.index(f'href="/appeals/{code}/"')
    return html[html.rindex("<tr", 0, link) : html.index("</tr>", link)]


def sent_back_by_street_office(city):
    code = intake_over_api(city, auto_dispatch=True).json()["tracking_code"]
    assert Appeal.objects.get(tracking_code=code).main_unit == city.street_offices[0]
    back = city.client("handler1").post(
        f"/appeals/{code}/send_back/", {"reason": "该路灯由市城管委直管，不属本街道职责"}
    )
    assert back.status_code in (200, 302), back.content.decode()
    assert Appeal.objects.get(tracking_code=code).status == "sent_back"
    return code


def test_queue_dispatches_a_sent_back_appeal_to_the_unit_the_dispatcher_names(city):
    code = sent_back_by_street_office(city)
    dispatcher = city.client("dispatcher")
    done = dispatcher.post(
        f"/queue/{code}/dispatch/",
        {"unit_code": "CGW", "reason": "城市照明由市城管委负责"},
        follow=True,
    )
    html = done.content.decode()
    assert f"{code} 已派出" in html, html
    appeal = Appeal.objects.get(tracking_code=code)
    assert appeal.status == "dispatched" and appeal.main_unit == city.cityops
    assert timeline_actions(dispatcher, code)[-2:] == ["send_back", "dispatch"]
    assert code not in dispatcher.get("/queue/").content.decode(), "it has left the queue"


def test_sent_back_appeal_is_not_suggested_or_dispatched_back_to_the_unit_that_returned_it(
    city,
):
    code = sent_back_by_street_office(city)
    dispatcher = city.client("dispatcher")
    suggestion = _row_of(dispatcher.get("/queue/").content.decode(), code)
    assert "朝阳区人民政府" in suggestion
    assert "建外街道办事处已退单" in suggestion
    assert "<b>建外街道办事处</b>" not in suggestion

    # the dispatcher leaves the unit empty: the rules choose, passing over the returning unit
    dispatched = post_json(dispatcher, f"/api/appeals/{code}/dispatch", {})
    assert dispatched.status_code == 200, dispatched.content
    body = dispatched.json()
    assert body["main_unit"]["code"] == city.district_gov.code
    assert "建外街道办事处已退单" in body["dispatch_reason"]


def test_redispatch_keeps_the_citizens_deadline_extension_and_overdue_mark(city):
    code = intake_over_api(city, auto_dispatch=True).json()["tracking_code"]
    handler, supervisor = city.client("handler1"), city.client("supervisor")
    assert post_json(handler, f"/api/appeals/{code}/sign-for").status_code == 200
    asked = post_json(
        handler,
        f"/api/appeals/{code}/extensions",
        {"extra_working_days": 5, "reason": "需协调产权单位更换线缆"},
    )
    assert asked.status_code == 201, asked.content
    decided = post_json(
        supervisor, f"/api/extensions/{asked.json()['id']}/decision", {"approve": True}
    )
    assert decided.status_code == 200, decided.content
    extended_due = instant(
        city.client("dispatcher").get(f"/api/appeals/{code}").json()["reply_due_at"]
    )

    with clock.frozen_at(extended_due + timedelta(hours=1)):
        assert run_deadline_scan()["overdue"] == 1
        moved = post_json(
            city.client("dispatcher"),
            f"/api/appeals/{code}/redispatch",
            {"unit_code": "CGW", "reason": "经核实由市城管委负责"},
        )
        assert moved.status_code == 200, moved.content
        body = moved.json()
        assert instant(body["reply_due_at"]) == extended_due, "deadline and extension kept"
        assert body["overdue"] is True
        assert instant(body["sign_due_at"]) > clock.now(), "the new unit gets its own sign-for time"
        assert run_deadline_scan()["overdue"] == 0, "the same lateness is not escalated twice"
    assert timeline_actions(supervisor, code).count("mark_overdue") == 1
    overdue_orders = SupervisionOrder.objects.filter(
        appeal__tracking_code=code, requirement__contains="超期"
    )
    assert overdue_orders.count() == 1


def test_co_handling_units_given_at_intake_are_checked_and_kept_until_dispatch(city):
    before = Appeal.objects.count()
    refused = intake_over_api(city, assist_unit_codes=["NOPE"])
    assert refused.status_code == 400, refused.content
    assert "NOPE" in refused.json()["message"]
    assert Appeal.objects.count() == before, "nothing written"

    code = intake_over_api(city, assist_unit_codes=["WATER"]).json()["tracking_code"]
    assert Appeal.objects.get(tracking_code=code).status == "received"
    sent = city.client("dispatcher").post(f"/queue/{code}/dispatch/", {}, follow=True)
    assert f"{code} 已派出" in sent.content.decode()
    roles = set(
        AppealAssignment.objects.filter(appeal__tracking_code=code).values_list(
            "unit__code", "role", "status"
        )
    )
    assert ("WATER", "assist", "pending") in roles
    assert (city.street_offices[0].code, "main", "pending") in roles
    signed = post_json(city.client("waterman"), f"/api/appeals/{code}/sign-for")
    assert signed.status_code == 200, signed.content
    assert "assist_sign_for" in timeline_actions(city.client("dispatcher"), code)


def test_queue_says_what_is_missing_and_the_dispatcher_sets_category_and_place(city):
    unplaced = intake_over_api(
        city, standard_address_code="", auto_dispatch=True, content="路灯坏了好几天了"
    ).json()["tracking_code"]
    uncategorized = intake_over_api(city, category_code="", content="有个事情想反映一下").json()[
        "tracking_code"
    ]
    dispatcher = city.client("dispatcher")
    html = dispatcher.get("/queue/").content.decode()
    assert Appeal.objects.get(tracking_code=unplaced).status == "received"
    assert "未能定位到网格" in _row_of(html, unplaced)
    assert "请先确定分类" not in _row_of(html, unplaced)
    assert "尚未确定分类" in _row_of(html, uncategorized)

    version = Appeal.objects.get(tracking_code=unplaced).version
    wrong = dispatcher.post(f"/queue/{unplaced}/place/", {"place_code": "NOWHERE"}, follow=True)
    assert "标准地址或网格编码不存在：NOWHERE" in wrong.content.decode()
    assert Appeal.objects.get(tracking_code=unplaced).version == version, "nothing changed"

    placed = dispatcher.post(
        f"/queue/{unplaced}/place/", {"place_code": city.addresses[1].code}, follow=True
    )
    assert placed.status_code == 200
    assert "<b>朝外街道办事处</b>" in _row_of(placed.content.decode(), unplaced)
    appeal = Appeal.objects.get(tracking_code=unplaced)
    assert appeal.grid == city.grids[1] and appeal.street == city.streets[1]
    assert timeline_actions(dispatcher, unplaced)[-1] == "locate"

    category = city.category("城乡建设", "城市建设和市政管理", "城市公共设施")
    # a map point inside the second street's grid, and the category, in one submit
    both = dispatcher.post(
        f"/queue/{uncategorized}/place/",
        {"category_code": category.code, "lat": "39.93", "lng": "116.52"},
        follow=True,
    )
    assert "<b>朝外街道办事处</b>" in _row_of(both.content.decode(), uncategorized)
    assert timeline_actions(dispatcher, uncategorized)[-2:] == ["categorize", "locate"]
    appeal = Appeal.objects.get(tracking_code=uncategorized)
    assert appeal.category == category and appeal.grid == city.grids[1]
