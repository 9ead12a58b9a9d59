"""派单 through the service layer: send-back and re-dispatch, co-handling units."""

from __future__ import annotations

import pytest

from cityloop.appeals.enums import AssignmentRole, AssignmentStatus, Status
from cityloop.dispatch.services import add_assist, dispatch, send_back
from cityloop.handling.services import reply, sign_for
from cityloop.kernel.errors import DomainError, PermissionDenied
from cityloop.testing import recorded_actions


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
    assert recorded_actions(appeal) == ["receive", "dispatch", "send_back", "dispatch", "sign_for"]


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
    assert recorded_actions(appeal) == [
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
