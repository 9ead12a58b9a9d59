"""Working-time arithmetic on the Chinese official calendar.

A day is a working day when the admin table says so; otherwise the chinese_calendar package
decides for the years it knows (holidays and 调休 make-up days); otherwise Monday–Friday.
"Working hours" are clock hours that fall on working days: the hotline and the units'
duty desks count round the clock, but holidays do not run the clock.
"""

from __future__ import annotations

import time as time_module
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import chinese_calendar
from django.utils import timezone

from cityloop.sla.models import TimeUnit, WorkCalendarDay

# Each process caches the calendar; an admin's edit clears this process's cache at once (see
# signals.py) and reaches the other server processes within CACHE_SECONDS.
CACHE_SECONDS = 300


def _epoch() -> int:
    return int(time_module.monotonic() // CACHE_SECONDS)


@lru_cache(maxsize=64)
def _table_for_year(year: int, epoch: int) -> dict[date, bool]:
    return dict(WorkCalendarDay.objects.filter(date__year=year).values_list("date", "is_workday"))


def forget_cached_calendar() -> None:
    _table_for_year.cache_clear()
    _is_workday.cache_clear()


def package_knows(day: date) -> bool:
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def is_workday(day: date) -> bool:
    return _is_workday(day, _epoch())


@lru_cache(maxsize=16384)
def _is_workday(day: date, epoch: int) -> bool:
    table = _table_for_year(day.year, epoch)
    if day in table:
        return table[day]
    if package_knows(day):
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5


def next_workday(day: date) -> date:
    day += timedelta(days=1)
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: datetime, days: int) -> datetime:
    """`days` working days after `start`, at the same local clock time.

    Each counted day is a working day after the start day. A start on a non-working day
    counts from the start of the next working day, so an appeal received on a holiday gets
    its full allowance.
    """
    local = timezone.localtime(start)
    clock = local.timetz()
    day = local.date()
    if not is_workday(day):
        clock = time(0, 0, tzinfo=clock.tzinfo)
        day = next_workday(day)
    for _ in range(days):
        day = next_workday(day)
    naive = datetime.combine(day, clock.replace(tzinfo=None))
    return timezone.make_aware(naive, timezone.get_current_timezone())


def add_working_hours(start: datetime, hours: int) -> datetime:
    """`hours` clock hours counted only on working days."""
    tz = timezone.get_current_timezone()
    moment = timezone.localtime(start)
    remaining = timedelta(hours=hours)
    while True:
        day = moment.date()
        if is_workday(day):
            day_end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time()), tz)
            available = day_end - moment
            if remaining <= available:
                return moment + remaining
            remaining -= available
        moment = timezone.make_aware(datetime.combine(day + timedelta(days=1), time()), tz)


def add_duration(start: datetime, amount: int, unit: str) -> datetime:
    if unit == TimeUnit.NATURAL_MINUTES:
        return start + timedelta(minutes=amount)
    if unit == TimeUnit.NATURAL_HOURS:
        return start + timedelta(hours=amount)
    if unit == TimeUnit.NATURAL_DAYS:
        return start + timedelta(days=amount)
    if unit == TimeUnit.WORKING_HOURS:
        return add_working_hours(start, amount)
    if unit == TimeUnit.WORKING_DAYS:
        return add_working_days(start, amount)
    raise ValueError(f"unknown time unit {unit!r}")


# The package names its holidays in English; the calendar admin shows them in Chinese.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def holiday_name(name: str | None) -> str:
    """The Chinese name of a holiday the package names (an unknown one as it comes)."""
    return HOLIDAY_NAMES.get(name or "", name or "")


def seed_from_package(years: range | None = None) -> int:
    """Copy the package's holidays and 调休 days into the table (once per date), so the admin
    shows the whole calendar and can correct it. Returns the number of rows added."""
    known = set(WorkCalendarDay.objects.values_list("date", flat=True))
    rows = []
    for day, name in sorted(chinese_calendar.holidays.items()):
        if (years is None or day.year in years) and day not in known and day.weekday() < 5:
            rows.append(
                WorkCalendarDay(
                    date=day, is_workday=False, name=holiday_name(name), source="package"
                )
            )
    for day, name in sorted(chinese_calendar.workdays.items()):
        if (years is None or day.year in years) and day not in known and day.weekday() >= 5:
            rows.append(
                WorkCalendarDay(
                    date=day, is_workday=True, name=holiday_name(name), source="package"
                )
            )
    WorkCalendarDay.objects.bulk_create(rows, batch_size=500)
    forget_cached_calendar()
    return len(rows)
