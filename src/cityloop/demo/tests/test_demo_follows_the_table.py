"""The demo's simulated history writes only what the transition table allows: every event,
per appeal in seq order, is a known action, taken from a status it may start from, by a role
that may take it, and lands where the table says."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cityloop.appeals.enums import Status
from cityloop.appeals.models import AppealAssignment, AppealEvent
from cityloop.appeals.transitions import TRANSITIONS
from cityloop.demo.generator import generate_demo_city
from cityloop.demo.lifecycle import Life, Recorder, role_of
from cityloop.kernel.errors import DomainError, PermissionDenied


def violations() -> list[str]:
    found: list[str] = []
    status_of: dict[int, str] = {}
    events = AppealEvent.objects.order_by("appeal_id", "seq").values_list(
        "appeal_id", "seq", "action", "actor_name", "from_status", "to_status"
    )
    for appeal_id, seq, action, actor, from_status, to_status in events.iterator():
        where = f"appeal {appeal_id} #{seq} {action}"
        transition = TRANSITIONS.get(action)
        if transition is None:
            found.append(f"{where}: not in the table")
            continue
        if from_status != status_of.get(appeal_id, ""):
            found.append(
                f"{where}: from {from_status!r}, the appeal was {status_of.get(appeal_id)!r}"
            )
        if transition.sources and from_status not in transition.sources:
            found.append(f"{where}: not allowed from {from_status}")
        if role_of(actor) not in transition.roles:
            found.append(f"{where}: {actor} ({role_of(actor)}) may not take it")
        expected = transition.target or from_status
        if to_status != expected:
            found.append(f"{where}: lands on {to_status}, the table says {expected}")
        status_of[appeal_id] = to_status
    return found


def unaccounted_assignments() -> list[int]:
    """Appeals whose assignment rows are not what their events' recorded changes add up to."""
    held: dict[int, dict[tuple[str, str], str]] = {}
    for appeal_id, changes in AppealEvent.objects.order_by("appeal_id", "seq").values_list(
        "appeal_id", "changes"
    ):
        for change in changes.get("assignments", [None, []])[1]:
            held.setdefault(appeal_id, {})[change["unit"], change["role"]] = change["to"]
    rows: dict[int, dict[tuple[str, str], str]] = {}
    for appeal_id, unit, role, status in AppealAssignment.objects.values_list(
        "appeal_id", "unit__code", "role", "status"
    ):
        rows.setdefault(appeal_id, {})[unit, role] = status
    return sorted(a for a in held.keys() | rows.keys() if held.get(a) != rows.get(a))


def test_every_event_of_a_small_demo_is_allowed_by_the_table(db):
    generate_demo_city(seed=5, appeals=300, days=45, streets_per_district=1, end=date(2026, 3, 31))
    assert AppealEvent.objects.count() > 1500
    assert violations() == []
    # as with the services, the events say who held each case when
    assert AppealAssignment.objects.filter(status="sent_back").exists()
    assert unaccounted_assignments() == []


def test_the_simulation_refuses_a_step_the_table_forbids():
    life = Life(fields={"status": Status.RECEIVED, "version": 1})
    record = Recorder(life, now=datetime(2026, 3, 31, tzinfo=UTC))
    with pytest.raises(DomainError) as refused:
        record.step("reply", datetime(2026, 3, 1, tzinfo=UTC), "承办人员（建外街道办事处）", 1)
    assert refused.value.code == "illegal_transition"
    with pytest.raises(PermissionDenied):
        record.step("dispatch", datetime(2026, 3, 1, tzinfo=UTC), "承办人员（水务局）", 1)
    record.step("dispatch", datetime(2026, 3, 1, tzinfo=UTC), "派单员", None, reason="属地")
    assert life.fields["status"] == Status.DISPATCHED and life.events[-1]["seq"] == 2
