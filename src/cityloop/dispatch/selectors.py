"""The dispatcher's queue (read side): appeals waiting for a unit, each with the unit the
rules suggest (never one that sent it back) and why, or why none can be suggested."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from cityloop.appeals.enums import WAITING_FOR_DISPATCH, AssignmentRole, AssignmentStatus, Status
from cityloop.appeals.models import Appeal, AppealAssignment, AppealEvent
from cityloop.dispatch.rules import DispatchDecision, choose_unit
from cityloop.org.models import Unit


def returned_units(appeal_ids: Iterable[int]) -> dict[int, list[Unit]]:
    """The units that sent each appeal back (退单), in one query."""
    found: dict[int, list[Unit]] = defaultdict(list)
    returned = AppealAssignment.objects.filter(
        appeal_id__in=list(appeal_ids),
        role=AssignmentRole.MAIN,
        status=AssignmentStatus.SENT_BACK,
    ).select_related("unit")
    for assignment in returned:
        found[assignment.appeal_id].append(assignment.unit)
    return found


def suggest_unit(appeal: Appeal, sent_back_by: list[Unit]) -> DispatchDecision:
    return choose_unit(appeal.category, appeal.place_area, avoid=sent_back_by)


def waiting_appeals() -> QuerySet[Appeal]:
    return (
        Appeal.objects.filter(status__in=WAITING_FOR_DISPATCH)
        .select_related("category", "grid", "street", "district")
        # "emergency" sorts before "normal": emergencies first, then the longest waiting
        .order_by("urgency", "received_at")
    )


@dataclass(frozen=True)
class QueueRow:
    appeal: Appeal
    decision: DispatchDecision
    last_reason: str


def queue_rows(appeals: Iterable[Appeal]) -> list[QueueRow]:
    """The rows of one page of the queue, in a fixed number of queries."""
    appeals = list(appeals)
    sent_back = [a for a in appeals if a.status == Status.SENT_BACK]
    # the latest send-back reason of each sent-back appeal (later rows overwrite earlier)
    reasons = dict(
        AppealEvent.objects.filter(appeal__in=sent_back, action="send_back")
        .order_by("appeal_id", "seq")
        .values_list("appeal_id", "reason")
    )
    returned = returned_units(a.pk for a in sent_back)
    return [
        QueueRow(a, suggest_unit(a, returned.get(a.pk, [])), reasons.get(a.pk, "")) for a in appeals
    ]


def unit_choices() -> list[tuple[str, str]]:
    """(code, name) of every active unit, the dispatcher's pick list."""
    units = Unit.objects.filter(is_active=True).order_by("kind", "code")
    return list(units.values_list("code", "name"))
