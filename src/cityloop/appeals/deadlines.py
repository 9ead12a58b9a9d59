"""What "overdue" (超期) means, defined once, in the two forms the code needs: a predicate
on one appeal and a filter for querysets. Every page, API and scan uses these.

An appeal is overdue while a unit holds it with its reply clock running (HANDLING_STATUSES)
and the reply deadline has passed. A deferred (挂账) appeal is not: it is followed up at its
planned date instead (see services.oversight.scan_deadlines)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from django.db.models import Q

from cityloop.appeals.enums import HANDLING_STATUSES


class _HasReplyClock(Protocol):
    status: str
    reply_due_at: datetime | None


def reply_clock_runs(appeal: _HasReplyClock) -> bool:
    return appeal.status in HANDLING_STATUSES


def is_overdue(appeal: _HasReplyClock, now: datetime) -> bool:
    return (
        reply_clock_runs(appeal) and appeal.reply_due_at is not None and appeal.reply_due_at < now
    )


def overdue_q(now: datetime) -> Q:
    """The same rule as is_overdue, as a queryset filter."""
    return Q(status__in=HANDLING_STATUSES, reply_due_at__lt=now)
