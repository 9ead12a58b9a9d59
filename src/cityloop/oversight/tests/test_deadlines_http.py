"""Deadlines and supervision over HTTP, as the units and the supervisors drive them; the
deadline scan is run as the worker runs it."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from cityloop.appeals.models import Appeal
from cityloop.kernel import clock
from cityloop.oversight.jobs import run_deadline_scan
from cityloop.oversight.models import SupervisionOrder
from cityloop.testing import intake_over_api, post_json, timeline_actions


def test_deadline_scan_warns_and_escalates_the_sign_for_deadline_once(city):
    code = intake_over_api(city, auto_dispatch=True).json()["tracking_code"]
    appeal = Appeal.objects.get(tracking_code=code)
    assert appeal.sign_warn_at is not None and appeal.sign_warn_at < appeal.sign_due_at
    supervisor = city.client("supervisor")
    with clock.frozen_at(appeal.sign_warn_at + timedelta(minutes=1)):
        assert run_deadline_scan()["sign_warned"] == 1
        assert run_deadline_scan()["sign_warned"] == 0
    with clock.frozen_at(appeal.sign_due_at + timedelta(minutes=1)):
        assert run_deadline_scan()["sign_overdue"] == 1
        assert run_deadline_scan()["sign_overdue"] == 0
        board = supervisor.get("/board/").content.decode()
    assert timeline_actions(supervisor, code)[-3:] == [
        "sign_warn",
        "mark_sign_overdue",
        "supervise",
    ]
    order = SupervisionOrder.objects.get(appeal__tracking_code=code)
    assert order.is_automatic and order.unit == city.street_offices[0]
    assert "签收时限" in order.requirement and code in board
    # once signed for, the sign-for clock no longer matters
    assert post_json(city.client("handler1"), f"/api/appeals/{code}/sign-for").status_code == 200


def test_deadline_scan_follows_up_a_deferred_appeal_on_its_planned_date(city):
    code = intake_over_api(city, auto_dispatch=True).json()["tracking_code"]
    handler = city.client("handler1")
    assert post_json(handler, f"/api/appeals/{code}/sign-for").status_code == 200
    planned = timezone.localdate(clock.now()) + timedelta(days=10)
    deferred = handler.post(
        f"/appeals/{code}/defer/",
        {"planned_date": planned.isoformat(), "reason": "需待汛期结束后施工"},
    )
    assert deferred.status_code == 302, deferred.content.decode()
    day_before = timezone.make_aware(datetime.combine(planned - timedelta(days=1), time(12)))
    on_the_day = timezone.make_aware(datetime.combine(planned, time(0, 10)))
    with clock.frozen_at(day_before):
        assert run_deadline_scan()["defer_due"] == 0
    with clock.frozen_at(on_the_day):
        assert run_deadline_scan()["defer_due"] == 1
        assert run_deadline_scan()["defer_due"] == 0
    supervisor = city.client("supervisor")
    assert timeline_actions(supervisor, code)[-2:] == ["defer_due", "supervise"]
    detail = supervisor.get(f"/api/appeals/{code}").json()
    assert detail["status"] == "deferred"
    order = SupervisionOrder.objects.get(appeal__tracking_code=code, is_automatic=True)
    assert "计划解决日期" in order.requirement
    # the unit answers on its appeal page
    answered = handler.post(
        f"/appeals/{code}/respond_supervision/",
        {"order_id": order.pk, "response": "已完成施工，今日答复"},
    )
    assert answered.status_code == 302
    order.refresh_from_db()
    assert order.status == "answered"


def test_overdue_is_one_rule_on_every_page_and_api(city):
    """Past the reply deadline: one appeal in handling (overdue), one deferred (followed up at
    its planned date instead, not overdue), one replied late (finished, not overdue now)."""
    handler = city.client("handler1")
    codes = [intake_over_api(city, auto_dispatch=True).json()["tracking_code"] for _ in range(3)]
    handling, deferred, replied = codes
    for code in codes:
        post_json(handler, f"/api/appeals/{code}/sign-for")
    planned = timezone.localdate(clock.now()) + timedelta(days=60)
    post_json(
        handler,
        f"/api/appeals/{deferred}/defer",
        {"planned_date": planned.isoformat(), "reason": "待施工"},
    )
    due = Appeal.objects.get(tracking_code=handling).reply_due_at
    with clock.frozen_at(due + timedelta(hours=2)):
        post_json(handler, f"/api/appeals/{replied}/reply", {"text": "已更换灯泡，路灯恢复照明。"})
        api = {c: handler.get(f"/api/appeals/{c}").json()["overdue"] for c in codes}
        assert api == {handling: True, deferred: False, replied: False}
        supervisor = city.client("supervisor")
        board = supervisor.get("/board/")
        assert board.context["overdue_count"] == 1
        assert supervisor.get("/dashboard/data.json").json()["overdue"] == 1
        assert supervisor.get("/").context["overdue"] == 1
        worklist = handler.get("/worklist/").content.decode()
        assert _worklist_row(worklist, handling).startswith('<tr class="overdue"')
        assert _worklist_row(worklist, deferred).startswith('<tr class=""')


def _worklist_row(html: str, code: str) -> str:
    link = html.index(f">{code}</a>")
    return html[html.rindex("<tr", 0, link) : link]
