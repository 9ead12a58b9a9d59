"""The record's guards on every step, through the service layer: the transition table, the
version the caller saw, the citizen acting as staff."""

from __future__ import annotations

import pytest

from cityloop.access.actors import Actor
from cityloop.appeals.enums import Status
from cityloop.appeals.models import Appeal
from cityloop.dispatch.services import dispatch, send_back
from cityloop.handling.services import reply, sign_for
from cityloop.kernel.errors import Conflict, DomainError, PermissionDenied


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


def test_citizen_cannot_act_as_staff(city):
    appeal = city.receive()
    with pytest.raises(PermissionDenied):
        dispatch(appeal.tracking_code, actor=Actor.citizen())
