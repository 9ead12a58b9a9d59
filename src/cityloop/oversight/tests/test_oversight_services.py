"""Extensions and the deadline scan, through the service layer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cityloop.appeals.enums import DecisionStatus
from cityloop.appeals.models import Appeal
from cityloop.handling.services import sign_for
from cityloop.kernel import clock
from cityloop.kernel.errors import DomainError, PermissionDenied
from cityloop.oversight.models import SupervisionOrder
from cityloop.oversight.services import (
    decide_extension,
    request_extension,
    respond_supervision,
    scan_deadlines,
)
from cityloop.testing import recorded_actions


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
    assert recorded_actions(appeal)[-3:] == ["warn", "mark_overdue", "supervise"]
    respond_supervision(order.pk, actor=city.actor("handler1"), response="今日内修复")
    order.refresh_from_db()
    assert order.status == "answered"
