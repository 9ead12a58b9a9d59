"""A new appeal is decided in memory and written once.

Intake runs the same write path as every later step (services.core.apply: the transition
table, the recorded changes), but while the appeal has no row yet, apply only changes the
instance and collects its events and the rows that point at it (assignments, the model's
suggestion). `write_new` then inserts the appeal in its final state, all its events in one
statement and each kind of row in one more, and `announce` tells the later stages (notify,
webhooks) of each event, as record_event does for a stored appeal. At ~400 intakes a second
this is the difference between ~20 statements and ~6.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

from cityloop.appeals.models import Appeal, AppealEvent
from cityloop.kernel.errors import DomainError


@dataclass
class Unsaved:
    events: list[AppealEvent] = field(default_factory=list)
    # rows with a foreign key `appeal` to the new appeal, in the order they were made
    rows: list[models.Model] = field(default_factory=list)


_KEY = "_unsaved"


def unsaved_of(appeal: Appeal) -> Unsaved | None:
    """What is waiting for the appeal's first write; None once it is stored."""
    if appeal.pk is not None:
        return None
    found = appeal.__dict__.get(_KEY)
    if found is None:
        found = appeal.__dict__[_KEY] = Unsaved()
    return found


def is_code_collision(error: IntegrityError) -> bool:
    return "tracking_code" in str(error)


def write_new(appeal: Appeal, *, draw_code: Callable[[], str]) -> list[AppealEvent]:
    """Insert the appeal, its events and rows; a tracking code already taken is drawn
    again (five times, then DomainError). Must run inside transaction.atomic(). Returns the
    events, stored."""
    pending = unsaved_of(appeal)
    assert pending is not None, "write_new: the appeal is stored already"
    for _attempt in range(5):
        appeal.tracking_code = draw_code()
        try:
            with transaction.atomic():
                appeal.save(force_insert=True)
            break
        except IntegrityError as error:
            if not is_code_collision(error):
                raise
    else:
        raise DomainError("tracking_code_exhausted", _("无法生成查询码，请重试"))
    appeal.__dict__.pop(_KEY, None)
    for event in pending.events:
        event.appeal = appeal
    AppealEvent.objects.bulk_create(pending.events)
    by_model: dict[type[models.Model], list[models.Model]] = defaultdict(list)
    for row in pending.rows:
        row.appeal = appeal  # type: ignore[attr-defined]
        by_model[type(row)].append(row)
    for model, rows in by_model.items():
        model._default_manager.bulk_create(rows)
    return pending.events


def announce(appeal: Appeal, events: list[AppealEvent]) -> None:
    """Tell the later stages of the stored events, in one signal (within the transaction)."""
    from cityloop.appeals.events import event_recorded

    event_recorded.send(sender=AppealEvent, appeal=appeal, events=events)
