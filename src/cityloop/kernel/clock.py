"""The one seam through which the code reads the time, so tests can travel in time.

Days and months are the city's, not UTC's: "today", "this month", the date in a tracking
code and every month boundary are taken in the local time zone (settings.TIME_ZONE,
Asia/Shanghai). Between 00:00 and 08:00 Beijing time the UTC date is still yesterday, so
never call .date() on an instant; ask this module for the local day or month instead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

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


def local(moment: datetime) -> datetime:
    """An instant as the city's wall clock shows it."""
    return timezone.localtime(moment)


def local_now() -> datetime:
    return local(now())


def local_date(moment: datetime) -> date:
    """The city's calendar day of an instant."""
    return local(moment).date()


def today() -> date:
    return local_date(now())


def start_of_day(day: date) -> datetime:
    """Local midnight at the start of `day`, as an aware instant."""
    return timezone.make_aware(datetime.combine(day, time()), timezone.get_current_timezone())


def next_local(at: time, after: datetime) -> datetime:
    """The next time the city's clock shows `at` after the instant `after` (a nightly job's
    next run)."""
    run = start_of_day(local_date(after)) + timedelta(hours=at.hour, minutes=at.minute)
    return run if run > after else run + timedelta(days=1)


def today_start() -> datetime:
    return start_of_day(today())


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def this_month() -> date:
    """The first day of the current local month."""
    return first_of_month(today())


def add_months(month: date, count: int) -> date:
    """The first day of the month `count` months after (or before, if negative) `month`."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[start, end) of the local month containing `month`, as aware instants."""
    first = first_of_month(month)
    return start_of_day(first), start_of_day(add_months(first, 1))
