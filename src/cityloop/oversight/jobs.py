"""Background jobs, run by `cityloop worker` from the database queue (django-q2, ORM broker).
Each job is safe to run twice: the work it does is marked done in the rows it changes."""

from __future__ import annotations

from cityloop.oversight.services import scan_deadlines

SCAN_EVERY_MINUTES = 5


def run_deadline_scan() -> dict[str, int]:
    return scan_deadlines()


def ensure_schedules() -> None:
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name="cityloop-deadline-scan",
        defaults={
            "func": "cityloop.oversight.jobs.run_deadline_scan",
            "schedule_type": Schedule.MINUTES,
            "minutes": SCAN_EVERY_MINUTES,
            "repeats": -1,
        },
    )
