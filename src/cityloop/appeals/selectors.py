"""The read side: fetching appeals the caller may see, and shaping them for output."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from cityloop.appeals.actors import Actor
from cityloop.appeals.codes import clean_tracking_code
from cityloop.appeals.enums import AssignmentStatus, Status
from cityloop.appeals.models import Appeal, AppealEvent
from cityloop.appeals.transitions import TRANSITIONS
from cityloop.core import clock
from cityloop.core.errors import NotFound, PermissionDenied
from cityloop.core.masking import mask_address, mask_name, mask_text

LIVE_ASSIGNMENTS = [AssignmentStatus.PENDING, AssignmentStatus.SIGNED, AssignmentStatus.REPLIED]


def visible_appeals(actor: Actor) -> QuerySet[Appeal]:
    appeals = Appeal.objects.all()
    unit_ids = actor.visible_unit_ids()
    if unit_ids is None:
        return appeals
    return appeals.filter(
        Q(main_unit_id__in=unit_ids)
        | Q(assignments__unit_id__in=unit_ids, assignments__status__in=LIVE_ASSIGNMENTS)
    ).distinct()


def access_appeal(tracking_code: str, actor: Actor) -> Appeal:
    """The appeal if it exists and the actor may see it; a unit asking for another unit's
    appeal is refused."""
    tracking_code = clean_tracking_code(tracking_code)
    appeal = (
        Appeal.objects.select_related(
            "main_unit", "category", "grid", "street", "district", "merged_into"
        )
        .filter(tracking_code=tracking_code)
        .first()
    )
    if appeal is None:
        raise NotFound(
            "appeal_not_found", _("查询码 %(code)s 对应的诉求不存在"), code=tracking_code
        )
    if (
        actor.visible_unit_ids() is not None
        and not visible_appeals(actor).filter(pk=appeal.pk).exists()
    ):
        raise PermissionDenied("not_your_appeal", _("无权查看其他单位的诉求"))
    return appeal


def is_overdue(appeal: Appeal) -> bool:
    if appeal.status in (Status.REPLIED, Status.EVALUATED, Status.CLOSED, Status.MERGED):
        return bool(
            appeal.replied_at and appeal.reply_due_at and appeal.replied_at > appeal.reply_due_at
        )
    return bool(appeal.reply_due_at and clock.now() > appeal.reply_due_at)


def _unit_ref(unit: Any) -> dict[str, str] | None:
    return {"code": unit.code, "name": unit.name} if unit else None


def appeal_detail(appeal: Appeal) -> dict[str, Any]:
    return {
        **{
            f: getattr(appeal, f)
            for f in (
                "tracking_code",
                "version",
                "channel",
                "status",
                "title",
                "content",
                "caller_name",
                "caller_phone",
                "address_text",
                "lat",
                "lng",
                "urgency",
                "is_complex",
                "dispatch_reason",
                "received_at",
                "dispatched_at",
                "sign_due_at",
                "signed_at",
                "reply_due_at",
                "replied_at",
                "reply_text",
                "deferred_until",
            )
        },
        "status_label": str(Status(appeal.status).label),
        "grid": appeal.grid.name if appeal.grid else None,
        "street": appeal.street.name if appeal.street else None,
        "district": appeal.district.name if appeal.district else None,
        "category_code": appeal.category.code if appeal.category else None,
        "category": appeal.category.path if appeal.category else None,
        "main_unit": _unit_ref(appeal.main_unit),
        "overdue": is_overdue(appeal),
        "merged_into": appeal.merged_into.tracking_code if appeal.merged_into else None,
        "assignments": [
            {
                "unit": _unit_ref(a.unit),
                "role": a.role,
                "status": a.status,
                "status_label": str(AssignmentStatus(a.status).label),
                "assigned_at": a.assigned_at,
                "signed_at": a.signed_at,
                "replied_at": a.replied_at,
                "note": a.note,
            }
            for a in appeal.assignments.select_related("unit").order_by("assigned_at", "pk")
        ],
    }


def action_label(action: str) -> str:
    transition = TRANSITIONS.get(action)
    if transition is not None:
        return str(transition.label)
    return {"merged_in": _("并入重复诉求")}.get(action, action)


def timeline(appeal: Appeal) -> list[AppealEvent]:
    return list(appeal.events.select_related("actor_unit").order_by("seq"))


def event_out(event: AppealEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "action": event.action,
        "action_label": action_label(event.action),
        "at": event.at,
        "actor": event.actor_name,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "from_status_label": str(Status(event.from_status).label) if event.from_status else "",
        "to_status_label": str(Status(event.to_status).label) if event.to_status else "",
        "reason": event.reason,
        "changes": event.changes,
    }


# What a citizen sees of each step; internal steps (warnings, supervision) are not shown.
PUBLIC_ACTIONS = {
    "receive",
    "dispatch",
    "redispatch",
    "sign_for",
    "send_back",
    "record_contact",
    "defer",
    "resume",
    "reply",
    "evaluate",
    "close",
    "reopen",
    "merge",
    "decide_extension",
}


def public_view(appeal: Appeal) -> dict[str, Any]:
    """The tracking page's view: personal data masked, staff names replaced by their units."""
    events = [e for e in timeline(appeal) if e.action in PUBLIC_ACTIONS]
    return {
        "tracking_code": appeal.tracking_code,
        "status": appeal.status,
        "status_label": str(Status(appeal.status).label),
        "title": mask_text(appeal.title),
        "content": mask_text(appeal.content),
        "caller_name": mask_name(appeal.caller_name),
        "address": mask_address(appeal.address_text),
        "category": appeal.category.path if appeal.category else None,
        "main_unit": appeal.main_unit.name if appeal.main_unit else None,
        "received_at": appeal.received_at,
        "reply_due_at": appeal.reply_due_at,
        "replied_at": appeal.replied_at,
        "reply_text": mask_text(appeal.reply_text),
        "can_evaluate": appeal.status == Status.REPLIED,
        "timeline": [
            {
                "at": e.at,
                "action_label": action_label(e.action),
                "status_label": str(Status(e.to_status).label) if e.to_status else "",
                "actor": e.actor_unit.name if e.actor_unit else _public_actor(e),
                "note": mask_text(e.reason) if e.action in {"reply", "send_back", "defer"} else "",
            }
            for e in events
        ],
    }


def _public_actor(event: AppealEvent) -> str:
    if event.actor_id is None:
        return event.actor_name if event.action in {"evaluate", "reopen"} else _("12345热线")
    return _("12345热线")


HANDLING_OR_WAITING = [
    Status.RECEIVED,
    Status.SENT_BACK,
    Status.DISPATCHED,
    Status.SIGNED,
    Status.IN_PROGRESS,
    Status.DEFERRED,
    Status.REPLIED,
]


def training_history(limit: int = 200_000) -> tuple[list[str], list[str]]:
    """Texts and final categories (full paths) of categorised appeals, newest first: what
    the city's own model learns from."""
    rows = (
        Appeal.objects.filter(category__isnull=False)
        .exclude(status=Status.MERGED)
        .order_by("-received_at")
        .values_list("title", "content", "category__path")[:limit]
    )
    return [f"{title}{content}" for title, content, _ in rows], [path for _, _, path in rows]
