"""The single write path: lock the appeal, check the transition table and the caller's
scope, change the fields, bump the version and write the event — all in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cityloop.access.actors import Actor
from cityloop.appeals.assignments import AssignmentChange, carry_out
from cityloop.appeals.codes import by_code, clean_tracking_code
from cityloop.appeals.enums import AssignmentRole
from cityloop.appeals.events import record_event
from cityloop.appeals.models import Appeal, AppealEvent
from cityloop.appeals.scope import check_scope
from cityloop.appeals.transitions import Transition, check
from cityloop.kernel import clock
from cityloop.kernel.errors import Conflict, NotFound


def lock_appeal(tracking_code: str) -> Appeal:
    """Fetch the appeal for update. Must run inside transaction.atomic()."""
    tracking_code = clean_tracking_code(tracking_code)
    try:
        return Appeal.objects.select_for_update().get(by_code(tracking_code))
    except Appeal.DoesNotExist:
        raise NotFound(
            "appeal_not_found", _("查询码 %(code)s 对应的诉求不存在"), code=tracking_code
        ) from None


def apply(
    appeal: Appeal,
    action: str,
    actor: Actor,
    *,
    reason: str = "",
    fields: dict[str, Any] | None = None,
    expected_version: int | None = None,
    scope_role: str = AssignmentRole.MAIN,
    details: dict[str, Any] | None = None,
    assignments: Sequence[AssignmentChange] = (),
) -> AppealEvent:
    """Apply one action to a locked appeal. Raises DomainError (and the caller's
    transaction rolls back) when the action is not allowed now, for this actor.
    `details` are facts recorded with the event that are not fields of the appeal;
    `scope_role` is the role (main or assisting unit) in which the actor's unit must hold
    the appeal for a unit-scoped step. `assignments` are the changes to which units hold
    the appeal: made here, after the checks, and recorded with the event."""
    transition: Transition = check(action, appeal.status, actor.role, reason)
    check_scope(appeal, actor, held_as=scope_role if transition.unit_scoped else None)
    if expected_version is not None and appeal.version != expected_version:
        raise Conflict(
            "stale_version",
            _("诉求已被他人更新（当前版本 %(current)s，您看到的是 %(seen)s），请刷新后重试"),
            current=appeal.version,
            seen=expected_version,
        )
    changes: dict[str, tuple[Any, Any]] = {}
    recorded_only = {"status", "assignments", *(details or {})}
    for name, value in (fields or {}).items():
        before = getattr(appeal, name)
        if before != value:
            changes[name] = (before, value)
            setattr(appeal, name, value)
    from_status = appeal.status
    if transition.target is not None and transition.target != from_status:
        changes["status"] = (from_status, transition.target)
        appeal.status = transition.target
    for name, value in (details or {}).items():
        changes[name] = (None, value)
    if assignments:
        changes["assignments"] = (None, carry_out(appeal, assignments, now=clock.now()))
    appeal.version += 1
    if appeal.pk is not None:  # a new appeal is written once, by intake (appeals.unsaved)
        update = [*{k for k in changes if k not in recorded_only}, "status", "version"]
        appeal.save(update_fields=update)
    return record_event(
        appeal, action, actor, from_status=from_status, reason=reason, changes=changes
    )


atomic = transaction.atomic
