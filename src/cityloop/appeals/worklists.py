"""What the home page and the unit worklist show (the supervisor board is oversight's):
always within what the actor may see (appeals.scope), so a page never decides that itself."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from cityloop.access.actors import Actor
from cityloop.appeals.deadlines import overdue_q
from cityloop.appeals.enums import (
    HELD_BY_UNIT_STATUSES,
    UNFINISHED_STATUSES,
    Status,
    in_status_order,
)
from cityloop.appeals.models import Appeal
from cityloop.appeals.scope import visible_appeals
from cityloop.kernel import clock

# The unit worklist's tabs: label and the statuses each shows.
WORKLIST_TABS = {
    "all": (_("全部在办"), HELD_BY_UNIT_STATUSES),
    "to_sign": (_("待签收"), frozenset({Status.DISPATCHED})),
    "handling": (_("办理中"), frozenset({Status.SIGNED, Status.IN_PROGRESS})),
    "deferred": (_("挂账"), frozenset({Status.DEFERRED})),
    "replied": (_("已办结待评价"), frozenset({Status.REPLIED})),
}


def unit_appeals(actor: Actor, statuses: Collection[str]) -> QuerySet[Appeal]:
    """Appeals in these statuses that the actor's units hold, the nearest deadline first."""
    return (
        visible_appeals(actor, Appeal.objects.filter(status__in=statuses))
        .select_related("category", "main_unit")
        .order_by("reply_due_at", "pk")
    )


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
