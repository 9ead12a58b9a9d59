"""The single write path: lock the appeal, check the transition table and the caller's
scope, change the fields, bump the version and write the event — all in one transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cityloop.appeals.actors import Actor
from cityloop.appeals.codes import clean_tracking_code
from cityloop.appeals.enums import AssignmentRole, AssignmentStatus
from cityloop.appeals.events import record_event
from cityloop.appeals.models import Appeal, AppealAssignment, AppealEvent
from cityloop.appeals.transitions import Transition, check
from cityloop.core.errors import Conflict, NotFound, PermissionDenied
from cityloop.org.models import Role


def lock_appeal(tracking_code: str) -> Appeal:
    """Fetch the appeal for update. Must run inside transaction.atomic()."""
    tracking_code = clean_tracking_code(tracking_code)
    try:
        return Appeal.objects.select_for_update().get(tracking_code=tracking_code)
    except Appeal.DoesNotExist:
        raise NotFound(
            "appeal_not_found", _("查询码 %(code)s 对应的诉求不存在"), code=tracking_code
        ) from None


def assignment_of(appeal: Appeal, actor: Actor) -> AppealAssignment | None:
    if actor.unit is None:
        return None
    return (
        AppealAssignment.objects.filter(appeal=appeal, unit=actor.unit)
        .exclude(status__in=[AssignmentStatus.WITHDRAWN, AssignmentStatus.SENT_BACK])
        .first()
    )


def check_unit_scope(appeal: Appeal, actor: Actor, *, role: str = AssignmentRole.MAIN) -> None:
    """A handler acts only on appeals its own unit holds; a supervisor on those of units
    under it; an administrator on any."""
    visible = actor.visible_unit_ids()
    if visible is None:
        return
    if actor.role == Role.SUPERVISOR and appeal.main_unit_id in visible:
        return
    held = assignment_of(appeal, actor)
    if held is not None and held.role == role:
        return
    raise PermissionDenied(
        "not_your_appeal",
        _("该诉求不由%(unit)s承办，无权操作"),
        unit=actor.unit.name if actor.unit else "",
    )


def apply(
    appeal: Appeal,
    action: str,
    actor: Actor,
    *,
    reason: str = "",
    fields: dict[str, Any] | None = None,
    expected_version: int | None = None,
    scope_role: str | None = AssignmentRole.MAIN,
    details: dict[str, Any] | None = None,
) -> AppealEvent:
    """Apply one action to a locked appeal. Raises DomainError (and the caller's
    transaction rolls back) when the action is not allowed now, for this actor.
    `details` are facts recorded with the event that are not fields of the appeal."""
    transition: Transition = check(action, appeal.status, actor.role, reason)
    if transition.unit_scoped and scope_role is not None:
        check_unit_scope(appeal, actor, role=scope_role)
    if expected_version is not None and appeal.version != expected_version:
        raise Conflict(
            "stale_version",
            _("诉求已被他人更新（当前版本 %(current)s，您看到的是 %(seen)s），请刷新后重试"),
            current=appeal.version,
            seen=expected_version,
        )
    changes: dict[str, tuple[Any, Any]] = {}
    details_keys = {"status", *(details or {})}
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
    appeal.version += 1
    update = [*{k for k in changes if k not in details_keys}, "status", "version"]
    appeal.save(update_fields=update)
    return record_event(
        appeal, action, actor, from_status=from_status, reason=reason, changes=changes
    )


atomic = transaction.atomic
