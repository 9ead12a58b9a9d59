"""The read side: fetching appeals the caller may see (the rule is in scope), and shaping
them for output."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, cast

from django.dispatch import Signal
from django.utils.translation import gettext as _

from cityloop.access.actors import Actor
from cityloop.access.personal_data import mask_name
from cityloop.appeals.deadlines import is_overdue
from cityloop.appeals.enums import AssignmentStatus, DecisionStatus, Status
from cityloop.appeals.models import Appeal, AppealEvent, Attachment, SupervisionOrder
from cityloop.appeals.scope import access_appeal as access_appeal
from cityloop.appeals.scope import visible_appeals as visible_appeals
from cityloop.appeals.transitions import TRANSITIONS
from cityloop.kernel import clock
from cityloop.kernel.errors import NotFound

# Who may see what is decided in one place (scope); the read side re-exports it above.


def _unit_ref(unit: Any) -> dict[str, str] | None:
    return {"code": unit.code, "name": unit.name} if unit else None


def appeal_detail(appeal: Appeal, *, personal: bool = True) -> dict[str, Any]:
    """The appeal for staff. Without `personal` (an analyst) the stored public text stands
    in for the original and the caller is not named."""
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
        **({} if personal else _public_text_of(appeal)),
        "status_label": str(Status(appeal.status).label),
        "grid": appeal.grid.name if appeal.grid else None,
        "street": appeal.street.name if appeal.street else None,
        "district": appeal.district.name if appeal.district else None,
        "category_code": appeal.category.code if appeal.category else None,
        "category": appeal.category.path if appeal.category else None,
        "main_unit": _unit_ref(appeal.main_unit),
        "overdue": is_overdue(appeal, clock.now()),
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
                "note": a.note if personal else "",
            }
            for a in appeal.assignments.select_related("unit").order_by("assigned_at", "pk")
        ],
    }


def _public_text_of(appeal: Appeal) -> dict[str, Any]:
    return {
        "title": appeal.public_title,
        "content": appeal.public_content,
        "caller_name": mask_name(appeal.caller_name),
        "caller_phone": "",
        "address_text": appeal.public_address,
        "reply_text": appeal.public_reply,
    }


def action_label(action: str) -> str:
    transition = TRANSITIONS.get(action)
    return str(transition.label) if transition is not None else action


def timeline(appeal: Appeal) -> list[AppealEvent]:
    return list(appeal.events.select_related("actor_unit").order_by("seq"))


# Asked by the timeline for what later stages keep about its steps (notify: the messages a
# step sent the citizen). Receivers get `appeal` and `personal` and answer {seq: [notice]};
# the record imports none of them (they connect in their AppConfig.ready()).
timeline_notes = Signal()


def timeline_out(appeal: Appeal, *, personal: bool = True) -> list[dict[str, Any]]:
    """The timeline for staff, each step with the notices kept about it."""
    notes: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for _receiver, answer in timeline_notes.send(sender=Appeal, appeal=appeal, personal=personal):
        for seq, items in cast(dict[int, list[dict[str, Any]]], answer or {}).items():
            notes[seq] += items
    return [
        {**event_out(event, personal=personal), "notices": notes.get(event.seq, [])}
        for event in timeline(appeal)
    ]


def event_out(event: AppealEvent, *, personal: bool = True) -> dict[str, Any]:
    """One step of the timeline for staff; without `personal` (an analyst) the note is the
    public one and the actor is their unit, not their name."""
    return {
        "seq": event.seq,
        "action": event.action,
        "action_label": action_label(event.action),
        "at": event.at,
        "actor": event.actor_name if personal else _public_actor(event),
        "from_status": event.from_status,
        "to_status": event.to_status,
        "from_status_label": str(Status(event.from_status).label) if event.from_status else "",
        "to_status_label": str(Status(event.to_status).label) if event.to_status else "",
        "reason": event.reason if personal else event.public_note,
        "changes": event.changes if personal else {},
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
        "title": appeal.public_title,
        "content": appeal.public_content,
        "caller_name": mask_name(appeal.caller_name),
        "address": appeal.public_address,
        "category": appeal.category.path if appeal.category else None,
        "main_unit": appeal.main_unit.name if appeal.main_unit else None,
        "received_at": appeal.received_at,
        "reply_due_at": appeal.reply_due_at,
        "replied_at": appeal.replied_at,
        "reply_text": appeal.public_reply,
        "can_evaluate": appeal.status == Status.REPLIED,
        "timeline": [
            {
                "at": e.at,
                "action_label": action_label(e.action),
                "status_label": str(Status(e.to_status).label) if e.to_status else "",
                "actor": _public_actor(e),
                "note": e.public_note if e.action in {"reply", "send_back", "defer"} else "",
            }
            for e in events
        ],
    }


def _public_actor(event: AppealEvent) -> str:
    """Staff are named by their unit, never by their own name."""
    if event.actor_unit is not None:
        return event.actor_unit.name
    if event.actor_id is None:
        return event.actor_name if event.action in {"evaluate", "reopen"} else _("12345热线")
    return _("12345热线")


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


def case_papers(appeal: Appeal, *, personal: bool) -> dict[str, Any]:
    """The papers beside the timeline on the staff page: photos, the pending extension
    request and the supervision orders. An analyst (not `personal`) gets none of them: the
    de-identified case has no photos and no free-text staff exchanges."""
    if not personal:
        return {"attachments": [], "pending_extension": None, "orders": []}
    return {
        "attachments": appeal.attachments.all(),
        "pending_extension": appeal.extension_requests.filter(
            status=DecisionStatus.PENDING
        ).first(),
        "orders": appeal.supervision_orders.order_by("-issued_at"),
    }


def supervision_order_of(tracking_code: str, order_id: int) -> int:
    """The supervision order being answered, which must be one of this appeal's."""
    if not SupervisionOrder.objects.filter(
        pk=order_id, appeal__tracking_code=tracking_code
    ).exists():
        raise NotFound("supervision_not_found", _("督办单不存在"), field="response")
    return order_id


def attachment_for(pk: int, actor: Actor) -> Attachment:
    """An attachment the actor may open: it exists and its appeal is one the actor sees."""
    item = Attachment.objects.select_related("appeal").filter(pk=pk).first()
    if item is None:
        raise NotFound("attachment_not_found", _("请求的内容不存在"))
    access_appeal(item.appeal.tracking_code, actor)
    return item
