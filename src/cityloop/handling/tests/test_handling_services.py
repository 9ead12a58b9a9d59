"""What the unit does, through the service layer: merge, reopen, defer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cityloop.access.actors import Actor
from cityloop.appeals.enums import Status
from cityloop.appeals.models import Appeal
from cityloop.evaluate.services import record_callback
from cityloop.handling.services import defer, merge, reply, sign_for
from cityloop.kernel import clock
from cityloop.kernel.errors import DomainError
from cityloop.testing import recorded_actions


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
    assert recorded_actions(appeal)[-2:] == ["evaluate", "reopen"]
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
