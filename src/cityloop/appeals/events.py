"""The audit trail: one AppealEvent per change, in the caller's transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import models
from django.dispatch import Signal

from cityloop.access.actors import Actor
from cityloop.appeals.models import Appeal, AppealEvent
from cityloop.appeals.public_text import public_version
from cityloop.kernel import clock

# Sent by record_event inside the transaction that records the event, after the event row is
# written, with `appeal` and `event`: a later stage (notify) writes what it derives from the
# event in the same transaction, so a crash loses both or neither. The record imports none
# of its receivers; they connect in their AppConfig.ready().
event_recorded = Signal()


def as_json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return {"id": value.pk, "name": str(value)}
    return value


def record_event(
    appeal: Appeal,
    action: str,
    actor: Actor,
    *,
    from_status: str,
    reason: str = "",
    changes: dict[str, tuple[Any, Any]] | None = None,
) -> AppealEvent:
    """Must be called after appeal.version was bumped: the event's seq is the new version."""
    event = AppealEvent.objects.create(
        appeal=appeal,
        seq=appeal.version,
        action=action,
        at=clock.now(),
        actor=actor.user,
        actor_name=actor.label,
        actor_unit=actor.unit,
        from_status=from_status,
        to_status=appeal.status,
        reason=reason,
        public_note=public_version(reason, caller_name=appeal.caller_name, writer=actor),
        changes={k: [as_json(b), as_json(a)] for k, (b, a) in (changes or {}).items()},
    )
    event_recorded.send(sender=AppealEvent, appeal=appeal, event=event)
    return event
