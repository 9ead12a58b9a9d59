"""督办's reads: the supervisor board and the orders an answer may refer to — always within
what the actor may see (appeals.scope)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from cityloop.access.actors import Actor
from cityloop.appeals.deadlines import overdue_q
from cityloop.appeals.enums import HANDLING_STATUSES, DecisionStatus, Status, SupervisionStatus
from cityloop.appeals.scope import visible_appeals
from cityloop.appeals.worklists import unit_appeals
from cityloop.kernel.errors import NotFound
from cityloop.oversight.models import ExtensionRequest, SupervisionOrder


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


def supervision_order_of(tracking_code: str, order_id: int) -> int:
    """The supervision order being answered, which must be one of this appeal's."""
    if not SupervisionOrder.objects.filter(
        pk=order_id, appeal__tracking_code=tracking_code
    ).exists():
        raise NotFound("supervision_not_found", _("督办单不存在"), field="response")
    return order_id
