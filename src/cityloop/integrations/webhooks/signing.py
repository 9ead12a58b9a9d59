"""How a body is signed, and how a receiver checks it: HMAC-SHA256 with the subscription's
secret over "<timestamp>.<body>". The timestamp is signed too, so a receiver that refuses
old timestamps cannot be fooled by a captured request sent again later."""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Cityloop-Signature"
TIMESTAMP_HEADER = "X-Cityloop-Timestamp"
DELIVERY_HEADER = "X-Cityloop-Delivery"
EVENT_HEADER = "X-Cityloop-Event"
IDEMPOTENCY_HEADER = "Idempotency-Key"
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify(
    secret: str,
    body: bytes,
    timestamp: str,
    signed: str,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent."""
    try:
        at = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((time.time() if now is None else now) - at) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, at, body), signed or "")
