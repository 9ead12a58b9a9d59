"""The one seam through which the code reads the time, so tests can travel in time."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime

from django.utils import timezone

_frozen: datetime | None = None


def now() -> datetime:
    return _frozen if _frozen is not None else timezone.now()


@contextlib.contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Pin now() to a moment (tests and replays of history)."""
    global _frozen
    previous, _frozen = _frozen, moment
    try:
        yield
    finally:
        _frozen = previous
