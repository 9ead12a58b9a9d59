"""Sending the deliveries: claim the due ones, POST each signed to its subscription's URL,
record the outcome. Safe with several workers and with workers that die at any point (the
same scheme as notify.sending):

- a claim marks the rows as held (`claimed_until`) in a short transaction of its own
  (PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED; SQLite: claims queue behind each other);
- a failed try (no answer, not 2xx, an address the guard refuses) is tried again after an
  exponential back-off and given up after CITYLOOP_WEBHOOKS_MAX_ATTEMPTS tries;
- a delivery marked sent is never claimed again; one sent whose row was not marked (the
  worker died in between) goes again with the same Idempotency-Key, for the receiver to drop.
- redirects are not followed (they could lead past the address guard)."""

from __future__ import annotations

import http.client
import logging
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q

from cityloop.integrations.webhooks import signing
from cityloop.integrations.webhooks.addresses import Target, check_url
from cityloop.integrations.webhooks.models import Delivery, DeliveryStatus
from cityloop.kernel import clock
from cityloop.kernel.errors import DomainError

log = logging.getLogger(__name__)
BATCH = 20
# a run stops taking new batches after this long, well inside the job queue's timeout
RUN_SECONDS = 200
USER_AGENT = "cityloop-webhooks/1"


class SendFailed(Exception):
    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.status = status


@dataclass
class Tally:
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    cancelled: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def back_off(attempts: int) -> timedelta:
    """The wait after the n-th failed try: base, 2 × base, 4 × base … at most a day."""
    seconds = settings.CITYLOOP_WEBHOOKS_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, 86_400))


def _due(now: datetime) -> Q:
    return Q(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def claim(limit: int = BATCH) -> list[Delivery]:
    """Take up to `limit` due deliveries for this worker; each counts as one try."""
    now = clock.now()
    with transaction.atomic():
        rows = (
            Delivery.objects.filter(_due(now))
            .select_related("subscription__key")
            .order_by("next_attempt_at", "pk")
        )
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True, of=("self",))
        claimed = list(rows[:limit])
        until = now + timedelta(seconds=settings.CITYLOOP_WEBHOOKS_CLAIM_SECONDS)
        for row in claimed:
            row.attempts += 1
            row.claimed_until, row.last_attempt_at = until, now
            row.save(update_fields=["attempts", "claimed_until", "last_attempt_at"])
    return claimed


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the address the guard checked, whatever the name resolves to now."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.ip = target.ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self.ip, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.ip = target.ip

    def connect(self) -> None:
        raw = socket.create_connection((self.ip, self.port), self.timeout)
        self.sock = ssl.create_default_context().wrap_socket(raw, server_hostname=self.host)


def post(delivery: Delivery) -> int:
    """POST the delivery's body, signed now; the receiver's status (2xx) or SendFailed."""
    subscription = delivery.subscription
    try:
        target = check_url(subscription.url)
    except DomainError as refused:
        raise SendFailed(refused.message) from None
    body = delivery.body.encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        signing.EVENT_HEADER: delivery.kind,
        signing.DELIVERY_HEADER: delivery.key,
        signing.IDEMPOTENCY_HEADER: delivery.key,
        signing.TIMESTAMP_HEADER: str(timestamp),
        signing.SIGNATURE_HEADER: signing.signature(subscription.secret, timestamp, body),
    }
    kind = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    conn = kind(target, timeout=settings.CITYLOOP_WEBHOOKS_TIMEOUT_SECONDS)
    try:
        conn.request("POST", target.path, body=body, headers=headers)
        answer = conn.getresponse()
        answer.read(4096)
    except (OSError, http.client.HTTPException) as error:
        raise SendFailed(f"{type(error).__name__}: {error}") from None
    finally:
        conn.close()
    if not 200 <= answer.status < 300:
        raise SendFailed(f"HTTP {answer.status}", answer.status)
    return answer.status


def _record(delivery: Delivery, **fields: object) -> None:
    """Record an outcome, unless the claim ran out meanwhile and another worker took the
    delivery over (then it records its own)."""
    fields["claimed_until"] = None
    Delivery.objects.filter(pk=delivery.pk, claimed_until=delivery.claimed_until).update(**fields)


def send_one(delivery: Delivery, tally: Tally) -> None:
    subscription = delivery.subscription
    if subscription.deleted_at is not None or subscription.key.revoked_at is not None:
        _record(delivery, status=DeliveryStatus.CANCELLED)
        tally.cancelled += 1
        return
    try:
        status = post(delivery)
    except SendFailed as failure:
        log.warning("webhooks: %s not sent (try %s): %s", delivery.key, delivery.attempts, failure)
        if delivery.attempts >= settings.CITYLOOP_WEBHOOKS_MAX_ATTEMPTS:
            _record(
                delivery,
                status=DeliveryStatus.FAILED,
                response_status=failure.status,
                error=str(failure)[:2000],
            )
            tally.failed += 1
        else:
            _record(
                delivery,
                next_attempt_at=clock.now() + back_off(delivery.attempts),
                response_status=failure.status,
                error=str(failure)[:2000],
            )
            tally.retrying += 1
        return
    _record(
        delivery,
        status=DeliveryStatus.SENT,
        sent_at=clock.now(),
        response_status=status,
        error="",
    )
    tally.sent += 1


def send_pending(limit: int = 1000) -> dict[str, int]:
    """Send what is due now, batch by batch, up to `limit` deliveries; the counts."""
    tally = Tally()
    done = 0
    started = time.monotonic()
    while done < limit and time.monotonic() - started < RUN_SECONDS:
        batch = claim(min(BATCH, limit - done))
        if not batch:
            break
        for delivery in batch:
            send_one(delivery, tally)
        done += len(batch)
    return tally.as_dict()
