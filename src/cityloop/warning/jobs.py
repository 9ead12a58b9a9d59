"""The nightly warning job, run by `cityloop worker` (django-q2, ORM broker). It brings the
analytics store up to date first, then detects; both steps are safe to run twice."""

from __future__ import annotations

from datetime import time
from typing import Any

from cityloop.kernel import clock

NIGHTLY_AT = time(2, 0)  # local; after the store's own nightly export at 01:00


def nightly_warnings(trigger: str = "nightly") -> dict[str, Any]:
    from cityloop.analytics.jobs import export_store
    from cityloop.warning.nightly import run_warnings

    export_store()
    run = run_warnings(trigger=trigger)
    return {"run": run.pk, "as_of": run.as_of.isoformat(), "alerts": run.alerts_found}


def request_run() -> str:
    """Queue a run now (the board's button): the worker does it within seconds."""
    from django_q.tasks import async_task

    return str(async_task("cityloop.warning.jobs.nightly_warnings", "on_demand"))


def ensure_schedules() -> None:
    from django_q.models import Schedule

    Schedule.objects.get_or_create(
        name="cityloop-nightly-warnings",
        defaults={
            "func": "cityloop.warning.jobs.nightly_warnings",
            "schedule_type": Schedule.DAILY,
            "repeats": -1,
            "next_run": clock.next_local(NIGHTLY_AT, clock.now()),
        },
    )
