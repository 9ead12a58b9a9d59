"""Sending the outbox: claim due messages, hand each to its backend with its key, record the
outcome. Safe with several workers and with workers that die at any point:

- a claim marks the rows as held (`claimed_until`) in a short transaction of its own
  (PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED, so workers take different rows; SQLite:
  the transaction is BEGIN IMMEDIATE, so claims queue behind each other);
- a message that fails is tried again after an exponential back-off, and recorded as failed
  after CITYLOOP_NOTIFY_MAX_ATTEMPTS tries;
- a worker that died holding a row lets it go when the claim runs out; the next try hands
  the backend the same key, and the backend does not send a message twice."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q

from cityloop.kernel import clock
from cityloop.notify.backends import SendFailed, email_backend, sms_backend
from cityloop.notify.models import Channel, MessageStatus, Outbox, SkipReason
from cityloop.notify.outbox import is_opted_out

log = logging.getLogger(__name__)
BATCH = 50


@dataclass
class Sent:
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    skipped: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def back_off(attempts: int) -> timedelta:
    """The wait after the n-th failed try: base, 2 × base, 4 × base … at most a day."""
    seconds = settings.CITYLOOP_NOTIFY_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, 86_400))


def _due(now: datetime) -> Q:
    return Q(status=MessageStatus.QUEUED, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def claim(limit: int = BATCH) -> list[Outbox]:
    """Take up to `limit` due messages for this worker; each counts as one try."""
    now = clock.now()
    with transaction.atomic():
        rows = Outbox.objects.filter(_due(now)).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        claimed = list(rows[:limit])
        until = now + timedelta(seconds=settings.CITYLOOP_NOTIFY_CLAIM_SECONDS)
        for row in claimed:
            row.attempts += 1
            row.claimed_until, row.last_attempt_at = until, now
            row.save(update_fields=["attempts", "claimed_until", "last_attempt_at"])
    return claimed


def deliver(message: Outbox) -> str:
    """Hand one message to its channel's backend; the provider's id."""
    if message.channel == Channel.SMS:
        return sms_backend().send(message.to, message.body, message.key)
    return email_backend().send(message.to, message.subject, message.body, message.key)


def _record(message: Outbox, **fields: object) -> None:
    """Record an outcome, unless the claim ran out meanwhile and another worker took the
    message over (then it records its own)."""
    fields["claimed_until"] = None
    Outbox.objects.filter(pk=message.pk, claimed_until=message.claimed_until).update(**fields)


def send_one(message: Outbox, tally: Sent) -> None:
    if is_opted_out(message.channel, message.to):
        _record(message, status=MessageStatus.SKIPPED, skip_reason=SkipReason.OPTED_OUT)
        tally.skipped += 1
        return
    try:
        provider_id = deliver(message)
    except Exception as error:  # any backend failure is the message's, not the worker's
        reason = str(error) if isinstance(error, SendFailed) else f"{type(error).__name__}: {error}"
        log.warning("notify: %s not sent (try %s): %s", message.key, message.attempts, reason)
        if message.attempts >= settings.CITYLOOP_NOTIFY_MAX_ATTEMPTS:
            _record(message, status=MessageStatus.FAILED, error=reason[:2000])
            tally.failed += 1
        else:
            retry_at = clock.now() + back_off(message.attempts)
            _record(message, next_attempt_at=retry_at, error=reason[:2000])
            tally.retrying += 1
        return
    _record(
        message,
        status=MessageStatus.SENT,
        sent_at=clock.now(),
        provider_id=provider_id[:200],
        error="",
    )
    tally.sent += 1


def send_pending(limit: int = 1000) -> dict[str, int]:
    """Send what is due now, batch by batch, up to `limit` messages; the counts."""
    tally = Sent()
    done = 0
    while done < limit:
        batch = claim(min(BATCH, limit - done))
        if not batch:
            break
        for message in batch:
            send_one(message, tally)
        done += len(batch)
    return tally.as_dict()
