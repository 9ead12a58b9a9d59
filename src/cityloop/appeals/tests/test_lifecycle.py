"""The branches of an appeal's life, through the service layer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cityloop.appeals.actors import Actor
from cityloop.appeals.enums import AssignmentRole, AssignmentStatus, DecisionStatus, Status
from cityloop.appeals.models import Appeal, AppealEvent, SupervisionOrder
from cityloop.core import clock
from cityloop.core.errors import Conflict, DomainError, PermissionDenied
from cityloop.dispatch.services import add_assist, dispatch, send_back
from cityloop.evaluate.services import record_callback
from cityloop.handling.services import defer, merge, reply, sign_for
from cityloop.oversight.services import (
    decide_extension,
    request_extension,
    respond_supervision,
    scan_deadlines,
)


def actions(appeal):
    return list(AppealEvent.objects.filter(appeal=appeal).values_list("action", flat=True))


def test_send_back_and_redispatch(city):
    appeal = city.receive()
    assert appeal.main_unit == city.street_offices[0]
    first_due = appeal.reply_due_at
    with pytest.raises(DomainError) as refused:
        send_back(appeal.tracking_code, actor=city.actor("handler1"), reason="  ")
    assert refused.value.code == "reason_required"

    send_back(
        appeal.tracking_code,
        actor=city.actor("handler1"),
        reason="该路灯属市城管委直管，不属本街道职责",
    )
    appeal.refresh_from_db()
    assert appeal.status == Status.SENT_BACK
    assert appeal.main_unit is None and appeal.send_back_count == 1
    event = appeal.events.get(action="send_back")
    assert event.reason.startswith("该路灯属市城管委")
    assert event.actor_name == "handler1（建外街道办事处）"

    dispatch(
        appeal.tracking_code,
        actor=city.actor("dispatcher"),
        unit_code="CGW",
        reason="城市照明由市城管委负责",
    )
    appeal.refresh_from_db()
    assert appeal.status == Status.DISPATCHED and appeal.main_unit == city.cityops
    assert appeal.reply_due_at == first_due, "the citizen's clock keeps running after 退单"
    assert appeal.dispatch_reason == "城市照明由市城管委负责"
    roles = list(appeal.assignments.values_list("unit__code", "status"))
    assert (city.street_offices[0].code, AssignmentStatus.SENT_BACK) in roles
    assert ("CGW", AssignmentStatus.PENDING) in roles
    # The unit that sent it back can no longer act on it.
    with pytest.raises(PermissionDenied):
        sign_for(appeal.tracking_code, actor=city.actor("handler1"))
    sign_for(appeal.tracking_code, actor=city.actor("cgw"))
    assert actions(appeal) == ["receive", "dispatch", "send_back", "dispatch", "sign_for"]


def test_extension_request_approved_moves_the_deadline_by_working_days(city):
    appeal = city.receive()
    handler, supervisor = city.actor("handler1"), city.actor("supervisor")
    with pytest.raises(DomainError) as early:
        request_extension(
            appeal.tracking_code, actor=handler, extra_working_days=5, reason="需协调产权单位"
        )
    assert early.value.code == "illegal_transition"
    sign_for(appeal.tracking_code, actor=handler)
    request = request_extension(
        appeal.tracking_code, actor=handler, extra_working_days=5, reason="需协调产权单位"
    )
    with pytest.raises(DomainError) as twice:
        request_extension(appeal.tracking_code, actor=handler, extra_working_days=3, reason="again")
    assert twice.value.code == "extension_pending"
    with pytest.raises(PermissionDenied):
        decide_extension(request.pk, actor=handler, approve=True)

    before = Appeal.objects.get(pk=appeal.pk).reply_due_at
    decide_extension(request.pk, actor=supervisor, approve=True, note="同意")
    appeal.refresh_from_db()
    request.refresh_from_db()
    assert request.status == DecisionStatus.APPROVED
    assert request.old_due_at == before and request.new_due_at == appeal.reply_due_at
    assert appeal.reply_due_at - before >= timedelta(days=5)
    event = appeal.events.get(action="decide_extension")
    assert event.changes["reply_due_at"][0] == before.isoformat()
    with pytest.raises(DomainError) as decided:
        decide_extension(request.pk, actor=supervisor, approve=False)
    assert decided.value.code == "extension_decided"


def test_rejected_extension_keeps_the_deadline(city):
    appeal = city.receive()
    sign_for(appeal.tracking_code, actor=city.actor("handler1"))
    request = request_extension(
        appeal.tracking_code, actor=city.actor("handler1"), extra_working_days=2, reason="x"
    )
    due = Appeal.objects.get(pk=appeal.pk).reply_due_at
    decide_extension(
        request.pk, actor=city.actor("district_supervisor"), approve=False, note="理由不充分"
    )
    assert Appeal.objects.get(pk=appeal.pk).reply_due_at == due


def test_co_handling_main_and_assisting_units(city):
    appeal = city.receive(assist_unit_codes=["WATER"])
    assert appeal.assignments.filter(role=AssignmentRole.ASSIST, unit=city.water).exists()
    water = city.actor("waterman")
    from cityloop.appeals.selectors import access_appeal

    access_appeal(appeal.tracking_code, water)  # an assisting unit sees what it holds
    sign_for(appeal.tracking_code, actor=water)
    appeal.refresh_from_db()
    assert appeal.status == Status.DISPATCHED, "an assisting unit does not sign for the case"
    with pytest.raises(DomainError):
        sign_for(appeal.tracking_code, actor=water)
    reply(appeal.tracking_code, actor=water, text="已关闭阀门配合维修")
    assist = appeal.assignments.get(unit=city.water)
    assert assist.status == AssignmentStatus.REPLIED and assist.note == "已关闭阀门配合维修"

    add_assist(appeal.tracking_code, actor=city.actor("dispatcher"), unit_code="CGW")
    sign_for(appeal.tracking_code, actor=city.actor("handler1"))
    reply(appeal.tracking_code, actor=city.actor("handler1"), text="已修复")
    appeal.refresh_from_db()
    assert appeal.status == Status.REPLIED
    assert actions(appeal) == [
        "receive",
        "dispatch",
        "add_assist",
        "assist_sign_for",
        "assist_reply",
        "add_assist",
        "sign_for",
        "reply",
    ]
    # Its part given, the assisting unit no longer holds the appeal; another street never did.
    for outsider in (water, city.actor("handler2")):
        with pytest.raises(PermissionDenied):
            access_appeal(appeal.tracking_code, outsider)


def test_merge_duplicates_into_one_case(city):
    first, second = city.receive(), city.receive()
    merge(
        second.tracking_code,
        into_code=first.tracking_code,
        actor=city.actor("dispatcher"),
        reason="同一路灯，重复反映",
    )
    second.refresh_from_db()
    assert second.status == Status.MERGED and second.merged_into == first
    assert first.events.filter(action="merged_in", reason__contains=second.tracking_code).exists()
    with pytest.raises(DomainError) as again:
        sign_for(second.tracking_code, actor=city.actor("handler1"))
    assert again.value.code == "illegal_transition"
    third = city.receive()
    with pytest.raises(DomainError) as into_merged:
        merge(
            third.tracking_code,
            into_code=second.tracking_code,
            actor=city.actor("dispatcher"),
            reason="x",
        )
    assert into_merged.value.code == "merge_target_merged"
    assert Appeal.objects.get(pk=third.pk).status == Status.DISPATCHED


def walk_to_replied(city, appeal):
    sign_for(appeal.tracking_code, actor=city.actor("handler1"))
    reply(appeal.tracking_code, actor=city.actor("handler1"), text="已处理")


def test_reopen_when_the_citizen_says_not_resolved(city):
    appeal = city.receive()
    walk_to_replied(city, appeal)
    later = clock.now() + timedelta(days=3)
    with clock.frozen_at(later):
        record_callback(
            appeal.tracking_code,
            actor=Actor.citizen(),
            contacted=True,
            resolved=False,
            satisfaction="dissatisfied",
            comment="路灯还是不亮",
            reopen_if_unresolved=True,
        )
    appeal.refresh_from_db()
    assert appeal.status == Status.DISPATCHED
    assert appeal.reopen_count == 1 and appeal.main_unit == city.street_offices[0]
    assert appeal.reply_due_at > later, "re-handling gets a new clock"
    assert actions(appeal)[-2:] == ["evaluate", "reopen"]
    assert appeal.callbacks.get().resolved is False
    walk_to_replied(city, appeal)
    record_callback(
        appeal.tracking_code,
        actor=Actor.citizen(),
        contacted=True,
        resolved=True,
        satisfaction="satisfied",
    )
    assert list(appeal.callbacks.order_by("pk").values_list("is_latest", flat=True)) == [
        False,
        True,
    ]


def test_deferred_cannot_be_resolved_now(city):
    appeal = city.receive()
    sign_for(appeal.tracking_code, actor=city.actor("handler1"))
    with pytest.raises(DomainError):
        defer(
            appeal.tracking_code,
            actor=city.actor("handler1"),
            reason="x",
            planned_date=clock.today(),
        )
    planned = clock.today() + timedelta(days=120)
    defer(
        appeal.tracking_code,
        actor=city.actor("handler1"),
        reason="需纳入明年道路改造计划",
        planned_date=planned,
    )
    appeal.refresh_from_db()
    assert appeal.status == Status.DEFERRED and appeal.deferred_until == planned
    reply(appeal.tracking_code, actor=city.actor("handler1"), text="改造完成")
    appeal.refresh_from_db()
    assert appeal.status == Status.REPLIED and appeal.deferred_until is None


def test_illegal_transition_is_refused_and_changes_nothing(city):
    appeal = city.receive()
    version = Appeal.objects.get(pk=appeal.pk).version
    with pytest.raises(DomainError) as refused:
        reply(appeal.tracking_code, actor=city.actor("handler1"), text="已处理")
    assert refused.value.code == "illegal_transition"
    assert "已派单" in refused.value.message and "办结答复" in refused.value.message
    with pytest.raises(PermissionDenied):
        sign_for(appeal.tracking_code, actor=city.actor("calltaker"))
    after = Appeal.objects.get(pk=appeal.pk)
    assert after.version == version and after.status == Status.DISPATCHED
    assert appeal.events.count() == version


def test_stale_version_is_refused(city):
    appeal = city.receive()
    seen = Appeal.objects.get(pk=appeal.pk).version
    sign_for(appeal.tracking_code, actor=city.actor("handler1"), expected_version=seen)
    with pytest.raises(Conflict):
        send_back(
            appeal.tracking_code, actor=city.actor("handler1"), reason="x", expected_version=seen
        )


def scanned(**done):
    return {
        "warned": 0,
        "overdue": 0,
        "sign_warned": 0,
        "sign_overdue": 0,
        "defer_due": 0,
        **done,
    }


def test_deadline_scan_warns_marks_overdue_escalates_once(city):
    appeal = city.receive()
    sign_for(appeal.tracking_code, actor=city.actor("handler1"))
    appeal.refresh_from_db()
    assert appeal.warn_at < appeal.reply_due_at
    with clock.frozen_at(appeal.warn_at + timedelta(minutes=1)):
        assert scan_deadlines() == scanned(warned=1)
        assert scan_deadlines() == scanned()
    with clock.frozen_at(appeal.reply_due_at + timedelta(minutes=1)):
        assert scan_deadlines() == scanned(overdue=1)
        assert scan_deadlines() == scanned()
    order = SupervisionOrder.objects.get(appeal=appeal)
    assert order.is_automatic and order.unit == city.street_offices[0]
    assert actions(appeal)[-3:] == ["warn", "mark_overdue", "supervise"]
    respond_supervision(order.pk, actor=city.actor("handler1"), response="今日内修复")
    order.refresh_from_db()
    assert order.status == "answered"


def test_citizen_cannot_act_as_staff(city):
    appeal = city.receive()
    with pytest.raises(PermissionDenied):
        dispatch(appeal.tracking_code, actor=Actor.citizen())
