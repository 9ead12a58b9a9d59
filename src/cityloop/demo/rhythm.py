"""When appeals arrive: the hotline's rhythm over the day (used by the simulated lives,
lifecycle) and over the days (used by the history writer and by the early-warning
evaluation, `cityloop warning evaluate`).

Kept apart from the generator so the lifecycle need not import it (the generator drives the
history writer, which runs the lifecycle: importing back would close a circle)."""

from __future__ import annotations

import math
import random
from datetime import date, datetime, time

import chinese_calendar
from django.utils import timezone

from cityloop.demo.text_profiles import Profile

# A statutory holiday on a weekday is a day off: it takes Sunday's weekday factor. The
# Spring Festival empties the city (people go home), other holidays a little.
SUNDAY = 6
WEDNESDAY = 2  # a make-up working day (调休上班) on a weekend is an ordinary working day
SPRING_FESTIVAL_FACTOR = 0.55
HOLIDAY_FACTOR = 0.85
# The hotline grows as more citizens learn of it: +8 % a year from the reference date.
TREND_PER_YEAR = 0.08
TREND_REFERENCE = date(2024, 1, 1)


def effective_weekday(day: date) -> int:
    """The weekday whose rhythm the day follows: holidays are Sundays, 调休 workdays
    Wednesdays, other days themselves."""
    if day in chinese_calendar.workdays:
        return WEDNESDAY
    if day in chinese_calendar.holidays:
        return SUNDAY
    return day.weekday()


def calendar_factor(day: date) -> float:
    """What the calendar does to every category alike on the day: holidays and the trend."""
    holiday = chinese_calendar.holidays.get(day)
    factor = 1.0
    if holiday is not None:
        factor = SPRING_FESTIVAL_FACTOR if "Spring" in str(holiday) else HOLIDAY_FACTOR
    years = (day - TREND_REFERENCE).days / 365.25
    return factor * math.exp(TREND_PER_YEAR * years)


def day_weight(profile: Profile, day: date) -> float:
    """The relative number of the profile's appeals on the day: its weight, its season
    (month), its week (weekday, with holidays and 调休), the holidays and the trend."""
    week = profile.weekday_factor[effective_weekday(day)]
    return profile.weight * profile.monthly_factor[day.month - 1] * week * calendar_factor(day)


def local_moment(day: date, rng: random.Random) -> datetime:
    """A time of day with the hotline's rhythm: busy mornings and early evenings."""
    hour = rng.choices(range(24), weights=HOURLY_WEIGHTS)[0]
    naive = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)))
    return timezone.make_aware(naive, timezone.get_current_timezone())


HOURLY_WEIGHTS = [
    1,
    0.6,
    0.4,
    0.3,
    0.3,
    0.5,
    1.5,
    4,
    8,
    10,
    10,
    9,
    6,
    7,
    9,
    9,
    8,
    7,
    6,
    6,
    5,
    4,
    3,
    2,
]
