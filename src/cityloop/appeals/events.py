"""The audit trail: one AppealEvent per change, in the caller's transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import models
from django.dispatch import Signal

from cityloop.access.actors import Actor
from cityloop.appeals.models import Appeal, AppealEvent
from cityloop.appeals.public_text import public_version
from cityloop.appeals.unsaved import unsaved_of
from cityloop.kernel import clock

# Sent inside the transaction that records events, after their rows are written, with
# `appeal` and `events` (record_event: one; a new appeal's first write: all of them, in
# order): a later stage (notify, webhooks) writes what it derives from them in the same
# transaction, so a crash loses both or neither. The record imports none of its
# receivers; they connect in their AppConfig.ready().
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
    """Must be called after appeal.version was bumped: the event's seq is the new version.
    An appeal not stored yet keeps the event until intake writes it (appeals.unsaved)."""
    event = AppealEvent(
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
    unsaved = unsaved_of(appeal)
    if unsaved is not None:
        unsaved.events.append(event)
        return event
    event.save(force_insert=True)
    event_recorded.send(sender=AppealEvent, appeal=appeal, events=[event])
    return event
