"""When appeals arrive: the hotline's daily rhythm, used by the simulated lives (lifecycle).

Kept apart from the generator so the lifecycle need not import it (the generator drives the
history writer, which runs the lifecycle: importing back would close a circle)."""

from __future__ import annotations

import random
from datetime import date, datetime, time

from django.utils import timezone


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
