"""The worker's schedule names the deadline scan by its import path: a database made before the
scan moved to oversight/ must be corrected when the worker starts, or the scan stops."""

from __future__ import annotations

from django.utils.module_loading import import_string
from django_q.models import Schedule

from cityloop.oversight.jobs import ensure_schedules


def test_the_worker_start_points_an_older_schedule_at_the_scan_that_runs(city):
    Schedule.objects.create(
        name="cityloop-deadline-scan",
        func="cityloop.appeals.jobs.run_deadline_scan",  # the path before issue 12
        schedule_type=Schedule.MINUTES,
        minutes=5,
    )
    ensure_schedules()
    schedule = Schedule.objects.get(name="cityloop-deadline-scan")
    assert Schedule.objects.count() == 1
    city.receive()
    assert set(import_string(schedule.func)()) >= {"warned", "overdue", "sign_overdue"}
