"""What the home page, the unit worklist and the supervisor board show: always within what
the actor may see (appeals.scope), so a page never decides that itself."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, QuerySet

from cityloop.access.actors import Actor
from cityloop.appeals.deadlines import overdue_q
from cityloop.appeals.enums import (
    HANDLING_STATUSES,
    UNFINISHED_STATUSES,
    DecisionStatus,
    Status,
    SupervisionStatus,
    in_status_order,
)
from cityloop.appeals.models import Appeal, ExtensionRequest, SupervisionOrder
from cityloop.appeals.scope import visible_appeals
from cityloop.kernel import clock


def unit_appeals(actor: Actor, statuses: Collection[str]) -> QuerySet[Appeal]:
    """Appeals in these statuses that the actor's units hold, the nearest deadline first."""
    return (
        visible_appeals(actor, Appeal.objects.filter(status__in=statuses))
        .select_related("category", "main_unit")
        .order_by("reply_due_at", "pk")
    )


def supervision_board(actor: Actor, now: datetime) -> dict[str, Any]:
    """Due soon, overdue, extension requests to decide, open supervision orders, weak
    replies and repeat callers, of the appeals the supervisor may see."""
    visible = visible_appeals(actor)
    handling = unit_appeals(actor, HANDLING_STATUSES)
    overdue = handling.filter(overdue_q(now))
    repeat_phones = (
        visible.filter(received_at__gte=now - timedelta(days=30))
        .exclude(caller_phone="")
        .values("caller_phone")
        .annotate(n=Count("id"))
        .filter(n__gte=3)
        .order_by("-n")[:15]
    )
    return {
        "due_soon": handling.filter(
            reply_due_at__gte=now, reply_due_at__lt=now + timedelta(hours=24)
        )[:30],
        "overdue": overdue[:30],
        "overdue_count": overdue.count(),
        "extensions": ExtensionRequest.objects.filter(
            status=DecisionStatus.PENDING, appeal__in=visible
        )
        .select_related("appeal", "unit")
        .order_by("requested_at")[:30],
        "orders": SupervisionOrder.objects.filter(status=SupervisionStatus.OPEN, appeal__in=visible)
        .select_related("appeal", "unit")
        .order_by("respond_by")[:30],
        "repeat_callers": list(repeat_phones),
        # replies the reply check found weak (答复质量): held for review (the gate's block
        # mode), or gone through flagged; the supervisor accepts or returns them
        "weak_replies": unit_appeals(actor, [Status.REPLY_REVIEW, Status.REPLIED])
        .filter(reply_flagged=True)
        .order_by("-replied_at")[:30],
    }


def received_today(appeals: QuerySet[Appeal] | None = None) -> int:
    """Appeals received since local midnight: a public figure for the whole city."""
    return (
        (Appeal.objects.all() if appeals is None else appeals)
        .filter(received_at__gte=clock.today_start())
        .count()
    )


def overview(actor: Actor, now: datetime) -> dict[str, Any]:
    """The home page of a member of staff: today's intake, the open work by status, the
    overdue count and the newest appeals — the city for the centre, a unit its own."""
    visible = visible_appeals(actor)
    unfinished = in_status_order(UNFINISHED_STATUSES)
    by_status = dict(
        visible.filter(status__in=unfinished)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {
        "today": received_today(visible),
        "open_by_status": [(s.label, by_status.get(s, 0)) for s in unfinished],
        "overdue": visible.filter(overdue_q(now)).count(),
        "recent": visible.select_related("main_unit", "category").order_by("-received_at")[:12],
    }
