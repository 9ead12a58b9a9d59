"""One appeal for staff: facts, work split, attachments, the full timeline, and the actions
the viewer's role may take now. Every action goes through the services; a refused action
re-renders the page with the typed text and the message next to its field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cityloop.access.actors import Actor
from cityloop.appeals import scope, selectors
from cityloop.appeals.enums import DecisionStatus, SupervisionStatus
from cityloop.appeals.transitions import TRANSITIONS
from cityloop.dispatch.services import send_back
from cityloop.evaluate.selectors import exclusion_of
from cityloop.evaluate.services import decide_exclusion, request_exclusion
from cityloop.handling.attachments import attach
from cityloop.handling.selectors import attachment_for
from cityloop.handling.services import (
    accept_reply,
    close_unresolved,
    defer,
    record_contact,
    reply,
    resume,
    return_reply,
    sign_for,
)
from cityloop.intake.selectors import second_opinions
from cityloop.kernel.errors import DomainError, NotFound
from cityloop.oversight.selectors import supervision_order_of
from cityloop.oversight.services import request_extension, respond_supervision, supervise
from cityloop.web.access import ANY_STAFF, actor_of, home_of, staff_page
from cityloop.web.redirects import safe_next

if TYPE_CHECKING:
    from cityloop.appeals.models import Appeal


def _int(value: str, field: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise DomainError("invalid_number", _("请填写整数"), field=field) from None


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError("invalid_date", _("请填写日期，如 2026-12-31"), field=field) from None


def _order_of(code: str, value: str) -> int:
    """The supervision order being answered, which must be one of this appeal's."""
    return supervision_order_of(code, _int(value, "response"))


# action name → the service it calls with the form's fields (the transition table says who
# may call it and when; its label is the message shown after success)
ACTIONS: dict[str, Callable[[str, Actor, Any, Any], object]] = {
    "sign_for": lambda code, actor, post, files: sign_for(code, actor=actor),
    "record_contact": lambda code, actor, post, files: record_contact(
        code, actor=actor, note=post.get("note", "")
    ),
    "reply": lambda code, actor, post, files: reply(
        code, actor=actor, text=post.get("text", ""), confirm_reason=post.get("confirm_reason", "")
    ),
    "accept_reply": lambda code, actor, post, files: accept_reply(
        code, actor=actor, note=post.get("note", "")
    ),
    "return_reply": lambda code, actor, post, files: return_reply(
        code, actor=actor, reason=post.get("reason", "")
    ),
    "close_unresolved": lambda code, actor, post, files: close_unresolved(
        code, actor=actor, reason=post.get("reason", "")
    ),
    "send_back": lambda code, actor, post, files: send_back(
        code, actor=actor, reason=post.get("reason", "")
    ),
    "request_extension": lambda code, actor, post, files: request_extension(
        code,
        actor=actor,
        extra_working_days=_int(post.get("extra_working_days", ""), "extra_working_days"),
        reason=post.get("reason", ""),
    ),
    "defer": lambda code, actor, post, files: defer(
        code,
        actor=actor,
        reason=post.get("reason", ""),
        planned_date=_date(post.get("planned_date", ""), "planned_date"),
    ),
    "supervise": lambda code, actor, post, files: supervise(
        code,
        actor=actor,
        requirement=post.get("requirement", ""),
        respond_within_hours=_int(post.get("respond_within_hours", "24"), "respond_within_hours"),
    ),
    "attach": lambda code, actor, post, files: attach(
        code, actor=actor, uploads=files.getlist("attachments")
    ),
    "resume": lambda code, actor, post, files: resume(
        code, actor=actor, reason=post.get("reason", "")
    ),
    "respond_supervision": lambda code, actor, post, files: respond_supervision(
        _order_of(code, post.get("order_id", "")), actor=actor, response=post.get("response", "")
    ),
    "request_exclusion": lambda code, actor, post, files: request_exclusion(
        code, actor=actor, reason=post.get("reason", "")
    ),
    "decide_exclusion": lambda code, actor, post, files: decide_exclusion(
        code,
        actor=actor,
        approve=post.get("decision") == "approve",
        note=post.get("note", ""),
    ),
}


def _available(appeal: Appeal, actor: Actor) -> list[str]:
    """The page's actions the actor may take on the appeal now (the rule is in scope)."""
    allowed = set(scope.available_actions(appeal, actor))
    return [name for name in ACTIONS if name in allowed]


# The step that moves the case on, first that the actor may take: a unit signs for it, then
# replies; a supervisor supervises. It is shown open, the other steps fold under "更多操作".
PRIMARY = (
    "sign_for",
    "reply",
    "accept_reply",
    "respond_supervision",
    "close_unresolved",
    "supervise",
    "resume",
    "decide_exclusion",
)


def _action_groups(
    actions: list[str],
    papers: dict[str, Any],
    exclusion: Any,
    *,
    reply_flagged: bool,
    rated_unresolved: bool,
) -> list[Any]:
    """The allowed actions as the page shows them: [(folded, names)], the primary step
    first. A form with nothing to act on is left out (an extension already asked for, an
    exclusion asked for or not waiting for a decision, no open supervision order, no weak
    reply to review, no "not resolved" rating to close on)."""
    idle = {
        "accept_reply": not reply_flagged,
        "return_reply": not reply_flagged,
        "close_unresolved": not rated_unresolved,
        "request_extension": papers["pending_extension"] is not None,
        "request_exclusion": exclusion is not None,
        "decide_exclusion": exclusion is None or exclusion.status != DecisionStatus.PENDING,
        "respond_supervision": not any(
            o.status == SupervisionStatus.OPEN for o in papers["orders"]
        ),
    }
    shown = [name for name in actions if not idle.get(name, False)]
    primary = next((name for name in PRIMARY if name in shown), None)
    rest = [name for name in shown if name != primary]
    groups = [(False, [primary])] if primary else []
    return groups + ([(True, rest)] if rest else [])


def _page(
    request: HttpRequest,
    actor: Actor,
    appeal: Appeal,
    *,
    errors: dict[str, str] | None = None,
    failed: str = "",
    status: int = 200,
) -> HttpResponse:
    shown = selectors.shown_to(actor, appeal)
    papers = selectors.case_papers(appeal, personal=shown["personal"])
    exclusion = exclusion_of(appeal)
    actions = _available(appeal, actor)
    rated_unresolved = selectors.rated_unresolved(appeal)
    context = {
        "appeal": selectors.appeal_detail(appeal, **shown),
        "events": selectors.timeline_out(appeal, **shown),
        **papers,
        "actions": actions,
        "action_groups": _action_groups(
            actions,
            papers,
            exclusion,
            reply_flagged=appeal.reply_flagged,
            rated_unresolved=rated_unresolved,
        ),
        "exclusion": exclusion,
        "opinion": second_opinions([appeal]).get(appeal.pk),
        "errors": errors or {},
        "failed": failed,
        "posted": request.POST if failed else {},
    }
    return render(request, "web/appeal_detail.html", context, status=status)


@staff_page(ANY_STAFF)
def appeal_page(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    try:
        appeal = selectors.access_appeal(code, actor)
    except DomainError as error:
        return render(request, "web/error.html", {"error": error.message}, status=error.status)
    return _page(request, actor, appeal)


@staff_page(ANY_STAFF)
def act(request: HttpRequest, actor: Actor, code: str, action: str) -> HttpResponse:
    try:
        appeal = selectors.access_appeal(code, actor)
    except DomainError as error:
        return render(request, "web/error.html", {"error": error.message}, status=error.status)
    if request.method != "POST" or action not in ACTIONS:
        return redirect("web:appeal-detail", code=code)
    try:
        ACTIONS[action](code, actor, request.POST, request.FILES)
    except NotFound as error:  # a record the form names is not there (not a form mistake)
        return render(request, "web/error.html", {"error": error.message}, status=error.status)
    except DomainError as error:
        appeal.refresh_from_db()
        field = str(error.params.get("field") or "__all__")
        return _page(
            request,
            actor,
            appeal,
            errors={field: str(error.message)},
            failed=action,
            status=error.status,
        )
    messages.success(request, _("已完成：%(action)s") % {"action": TRANSITIONS[action].label})
    appeal.refresh_from_db()
    if not scope.may_see(appeal, actor):
        # the step itself ended the caller's hold (a send-back, an assisting unit's reply)
        return redirect(home_of(actor))
    # a form on another page (the board's weak replies) says where to go back to
    return redirect(safe_next(request, "") or reverse("web:appeal-detail", args=[code]))


@login_required
def attachment(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    actor = actor_of(request)
    if actor is None:
        return render(request, "web/error.html", {"error": _("无权查看")}, status=403)
    try:
        item = attachment_for(pk, actor)
    except DomainError as error:
        return render(request, "web/error.html", {"error": error.message}, status=error.status)
    return FileResponse(item.file.open("rb"), content_type=item.content_type, filename=item.name)
