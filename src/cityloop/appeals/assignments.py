"""Who holds the appeal (its AppealAssignment rows) changes only with an event.

A service says what should happen to the assignments (`Assign`, `Move`) and hands that to
the write path (services.core.apply), which carries it out after the transition and scope
checks and records each row's change in the event (`changes["assignments"]`), so the
timeline tells which unit held the case when, in which role (全周期问责)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from cityloop.appeals.enums import AssignmentStatus
from cityloop.appeals.models import Appeal, AppealAssignment
from cityloop.appeals.unsaved import unsaved_of
from cityloop.org.models import Unit

# Statuses in which a unit still holds (or held until it answered) its part of the case.
LIVE = frozenset({AssignmentStatus.PENDING, AssignmentStatus.SIGNED})
NOT_ENDED = LIVE | {AssignmentStatus.REPLIED}


@dataclass(frozen=True)
class Assign:
    """`unit` now holds the appeal in `role`, waiting to sign for it."""

    unit: Unit
    role: str


@dataclass(frozen=True)
class Move:
    """The appeal's rows in `role` (only `unit`'s, when given) whose status is one of
    `among` move to `to`; `stamp` sets the row's other fields (signed_at, note...)."""

    role: str
    among: frozenset[str]
    to: str
    unit: Unit | None = None
    stamp: Mapping[str, Any] = field(default_factory=dict)


AssignmentChange = Assign | Move


def carry_out(
    appeal: Appeal, changes: Sequence[AssignmentChange], *, now: datetime
) -> list[dict[str, str]]:
    """Make the changes, in order; return one record per row that changed."""
    records: list[dict[str, str]] = []
    unsaved = unsaved_of(appeal)
    for change in changes:
        if isinstance(change, Assign):
            row = AppealAssignment(
                appeal=appeal, unit=change.unit, role=change.role, assigned_at=now
            )
            if unsaved is None:
                row.save(force_insert=True)
            else:
                unsaved.rows.append(row)
            records.append(change_record(change.unit, change.role, "", AssignmentStatus.PENDING))
        else:
            records.extend(_move(appeal, change))
    return records


def _move(appeal: Appeal, move: Move) -> Iterable[dict[str, str]]:
    if appeal.pk is None:  # a new appeal: nothing to move yet
        return
    rows = AppealAssignment.objects.filter(appeal=appeal, role=move.role, status__in=move.among)
    if move.unit is not None:
        rows = rows.filter(unit=move.unit)
    for row in rows.select_related("unit").order_by("assigned_at", "pk"):
        yield change_record(row.unit, row.role, row.status, move.to)
        row.status = move.to
        for name, value in move.stamp.items():
            setattr(row, name, value)
        row.save(update_fields=["status", *move.stamp])


def holds_live(appeal: Appeal, unit: Unit) -> bool:
    """Whether `unit` holds the appeal now (waiting to sign for it, or signed)."""
    unsaved = unsaved_of(appeal)
    if unsaved is not None:
        return any(
            isinstance(row, AppealAssignment) and row.unit_id == unit.pk and row.status in LIVE
            for row in unsaved.rows
        )
    return AppealAssignment.objects.filter(appeal=appeal, unit=unit, status__in=LIVE).exists()


class UnitLike(Protocol):
    code: str
    name: str


def change_record(unit: UnitLike, role: str, before: str, after: str) -> dict[str, str]:
    """How the event records one assignment's change ("" before: a new assignment)."""
    return {"unit": unit.code, "unit_name": unit.name, "role": role, "from": before, "to": after}
