"""The worker's part: the store brought up to date every night at 01:00 (local), before the
early-warning run reads it. Safe to run twice: a second export at the same time is refused by
the store's lock, and a run cut off is finished by the next one."""

from __future__ import annotations

from datetime import time
from typing import Any

from cityloop.analytics.store import ExportRunning
from cityloop.analytics.store import export_store as export_now
from cityloop.kernel import clock

SCHEDULE_NAME = "cityloop-analytics-export"
NIGHTLY_AT = time(1, 0)
# A first export of a large record takes longer than the cluster's default timeout; a cut
# off run would be finished by the next one, but there is no need to cut it.
TIMEOUT_SECONDS = 4 * 3600


def export_store() -> dict[str, Any]:
    try:
        return export_now(progress=None).as_dict()
    except ExportRunning:
        return {"skipped": "another export is running"}


def ensure_schedules() -> None:
    """The nightly schedule; its next run is left as it is when the schedule exists (a
    worker restarted during the day does not push tonight's run to tomorrow)."""
    from django_q.models import Schedule

    task = {
        "func": "cityloop.analytics.jobs.export_store",
        "schedule_type": Schedule.DAILY,
        "repeats": -1,
        "kwargs": f"q_options={{'timeout': {TIMEOUT_SECONDS}}}",
    }
    Schedule.objects.update_or_create(
        name=SCHEDULE_NAME,
        defaults=task,
        create_defaults={**task, "next_run": clock.next_local(NIGHTLY_AT, clock.now())},
    )
