"""The read side: fetching appeals the caller may see (the rule is in scope), and shaping
them for output."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, cast

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.dispatch import Signal
from django.utils.translation import gettext as _

from cityloop.access.actors import Actor, refuse_phone_lookup
from cityloop.access.personal_data import (
    REPORTER_PROTECTED_TYPES,
    hide_caller,
    mask_name,
    sees_caller,
)
from cityloop.appeals.deadlines import is_overdue
from cityloop.appeals.enums import (
    NOT_RATED_ON_RESOLUTION,
    AppealType,
    AssignmentStatus,
    DecisionStatus,
    Outcome,
    Placement,
    Status,
)
from cityloop.appeals.models import Appeal, AppealAssignment, AppealEvent
from cityloop.appeals.outcomes import history_of, latest_rating
from cityloop.appeals.scope import access_appeal as access_appeal
from cityloop.appeals.scope import visible_appeals as visible_appeals
from cityloop.appeals.transitions import TRANSITIONS
from cityloop.kernel import clock

# Who may see what is decided in one place (scope); the read side re-exports it above.


def _unit_ref(unit: Any) -> dict[str, str] | None:
    return {"code": unit.code, "name": unit.name} if unit else None


def rated_unresolved(appeal: Appeal) -> bool:
    """The citizen's latest rating said "not resolved" (办结未解决 may be decided)."""
    return latest_rating(history_of(appeal), since_reopen=False) is False


def shown_to(actor: Actor, appeal: Appeal) -> dict[str, bool]:
    """What of the appeal's personal data the actor sees (the rule: access.personal_data):
    `personal` the original text, `caller` who the caller is (not on a report to a unit)."""
    return {
        "personal": actor.sees_personal_data,
        "caller": sees_caller(actor, appeal.appeal_type),
    }


# The columns appeal_detail reads (and shown_to, and the rules it calls); nothing else of a
# listed appeal or of its related rows is fetched.
_SHOWN_FIELDS = (
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
_DETAIL_FIELDS = (
    *_SHOWN_FIELDS,
    "appeal_type",
    "outcome",
    "placement",
    "reply_flagged",
    "reply_check",
    "public_title",
    "public_content",
    "public_address",
    "public_reply",
    "grid__name",
    "street__name",
    "district__name",
    "category__code",
    "category__path",
    "main_unit__code",
    "main_unit__name",
    "merged_into__tracking_code",
)


def for_detail(appeals: QuerySet[Appeal]) -> QuerySet[Appeal]:
    """What appeal_detail reads, fetched with the appeals: a list of any length costs the
    same few queries, and only the columns shown."""
    return (
        appeals.select_related("main_unit", "category", "grid", "street", "district", "merged_into")
        .only(*_DETAIL_FIELDS)
        .prefetch_related(Prefetch("assignments", queryset=_ASSIGNMENTS))
    )


_ASSIGNMENTS = (
    AppealAssignment.objects.select_related("unit")
    .only(
        "appeal_id",
        "unit__code",
        "unit__name",
        "role",
        "status",
        "assigned_at",
        "signed_at",
        "replied_at",
        "note",
    )
    .order_by("assigned_at", "pk")
)


def _assignments_of(appeal: Appeal) -> Any:
    if "assignments" in getattr(appeal, "_prefetched_objects_cache", {}):
        return appeal.assignments.all()
    return _ASSIGNMENTS.filter(appeal=appeal)


def appeal_detail(appeal: Appeal, *, personal: bool = True, caller: bool = True) -> dict[str, Any]:
    """The appeal for staff. Without `personal` (an analyst) the stored public text stands
    in for the original and the caller is not named; without `caller` (a unit's staff on a
    report, 举报) the reporter's name and phone are masked, in the text too."""
    detail = {
        **{f: getattr(appeal, f) for f in _SHOWN_FIELDS},
        **({} if personal else _public_text_of(appeal)),
        "status_label": str(Status(appeal.status).label),
        "appeal_type": appeal.appeal_type,
        "appeal_type_label": str(AppealType(appeal.appeal_type).label),
        "outcome": appeal.outcome,
        "outcome_label": str(Outcome(appeal.outcome).label) if appeal.outcome else "",
        "placement_label": str(Placement(appeal.placement).label) if appeal.placement else "",
        "reply_flagged": appeal.reply_flagged,
        "reply_check": appeal.reply_check,
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
            for a in _assignments_of(appeal)
        ],
    }
    return detail if caller or not personal else _reporter_hidden(appeal, detail)


def _reporter_hidden(appeal: Appeal, detail: dict[str, Any]) -> dict[str, Any]:
    def hide(text: str) -> str:
        return hide_caller(text, name=appeal.caller_name, phone=appeal.caller_phone)

    return {
        **detail,
        "caller_name": mask_name(appeal.caller_name),
        "caller_phone": "",
        "title": hide(detail["title"]),
        "content": hide(detail["content"]),
        "reply_text": hide(detail["reply_text"]),
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


def timeline_out(
    appeal: Appeal, *, personal: bool = True, caller: bool = True
) -> list[dict[str, Any]]:
    """The timeline for staff, each step with the notices kept about it."""
    notes: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for _receiver, answer in timeline_notes.send(sender=Appeal, appeal=appeal, personal=personal):
        for seq, items in cast(dict[int, list[dict[str, Any]]], answer or {}).items():
            notes[seq] += items
    return [
        {**event_out(event, personal=personal, caller=caller), "notices": notes.get(event.seq, [])}
        for event in timeline(appeal)
    ]


def event_out(event: AppealEvent, *, personal: bool = True, caller: bool = True) -> dict[str, Any]:
    """One step of the timeline for staff; without `personal` (an analyst) the note is the
    public one and the actor is their unit, not their name; without `caller` (a report, for
    a unit) the note is the public one and the recorded changes are not shown."""
    if personal and not caller:
        return {**event_out(event, personal=False), "actor": event.actor_name}
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
    "reply_for_review",
    "accept_reply",
    "return_reply",
    "close_unresolved",
    "answer_on_call",
    "thank_praise",
}
# the steps whose note the citizen reads in the timeline (the reply itself is shown once,
# as the result, not again as a note)
PUBLIC_NOTES = {"send_back", "defer", "close_unresolved", "return_reply"}
# the reply is the citizen's once it counts as given
ANSWERED = frozenset({Status.REPLIED, Status.EVALUATED, Status.CLOSED})


def next_step(appeal: Appeal) -> str:
    """What happens next, told to the citizen on the tracking page and after a rating."""
    if appeal.status == Status.CLOSED:
        return _("已办结。办理结果：%(outcome)s。") % {
            "outcome": Outcome(appeal.outcome).label if appeal.outcome else "—"
        }
    if appeal.status == Status.EVALUATED:
        return _("您的评价已记录，%(centre)s将核实后办结。") % {"centre": centre_name()}
    if appeal.status == Status.REPLIED:
        return _("承办单位已答复，请您评价办理结果。")
    if appeal.status == Status.REPLY_REVIEW:
        return _("承办单位已答复，%(centre)s正在审核答复。") % {"centre": centre_name()}
    if appeal.reopen_count and appeal.status != Status.MERGED:
        return _("您反映问题未解决，诉求已转回%(unit)s重新办理。") % {
            "unit": appeal.main_unit.name if appeal.main_unit else centre_name()
        }
    return ""


def public_view(appeal: Appeal) -> dict[str, Any]:
    """The tracking page's view: personal data masked, staff names replaced by their units."""
    events = [e for e in timeline(appeal) if e.action in PUBLIC_ACTIONS]
    return {
        "tracking_code": appeal.tracking_code,
        "status": appeal.status,
        "status_label": str(Status(appeal.status).label),
        "appeal_type_label": str(AppealType(appeal.appeal_type).label),
        "outcome": appeal.outcome,
        "outcome_label": str(Outcome(appeal.outcome).label) if appeal.outcome else "",
        "deferred_until": appeal.deferred_until if appeal.status == Status.DEFERRED else None,
        "rates_resolution": appeal.appeal_type not in NOT_RATED_ON_RESOLUTION,
        "next_step": next_step(appeal),
        "title": appeal.public_title,
        "content": appeal.public_content,
        "caller_name": mask_name(appeal.caller_name),
        "address": appeal.public_address,
        "category": appeal.category.path if appeal.category else None,
        "main_unit": appeal.main_unit.name if appeal.main_unit else None,
        "received_at": appeal.received_at,
        "reply_due_at": appeal.reply_due_at,
        "replied_at": appeal.replied_at,
        "reply_text": appeal.public_reply if appeal.status in ANSWERED else "",
        "can_evaluate": appeal.status == Status.REPLIED,
        "timeline": [
            {
                "at": e.at,
                "action_label": action_label(e.action),
                "status_label": str(Status(e.to_status).label) if e.to_status else "",
                "actor": _public_actor(e),
                "note": e.public_note if e.action in PUBLIC_NOTES else "",
            }
            for e in events
        ],
    }


def _public_actor(event: AppealEvent) -> str:
    """Staff are named by their unit, never by their own name."""
    if event.actor_unit is not None:
        return event.actor_unit.name
    if event.actor_id is None:
        return event.actor_name if event.action in {"evaluate", "reopen"} else centre_name()
    return centre_name()


def centre_name() -> str:
    """The one name of the 12345 centre (settings.CITYLOOP_BRAND)."""
    return str(settings.CITYLOOP_BRAND)


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


def by_caller_phone(appeals: QuerySet[Appeal], actor: Actor, phone: str) -> QuerySet[Appeal]:
    """The appeals a caller made, found by their number. A unit's staff never find a report
    (举报) this way: the number would tell them who reported."""
    refuse_phone_lookup(actor)
    found = appeals.filter(caller_phone=phone)
    if actor.sees_everything:
        return found
    return found.exclude(appeal_type__in=REPORTER_PROTECTED_TYPES)
