"""The nightly export's schedule and the job itself."""

from __future__ import annotations

import fcntl
from datetime import date

from django.utils.module_loading import import_string
from django_q.models import Schedule

from cityloop.analytics import jobs
from cityloop.kernel import clock
from cityloop.testing import instant


def test_the_next_run_is_at_one_in_the_morning_local_time():
    # 00:30 Beijing time is 16:30 UTC the day before: tonight's run is 30 minutes away
    assert clock.next_local(jobs.NIGHTLY_AT, instant("2026-03-09T16:30:00+00:00")) == instant(
        "2026-03-09T17:00:00+00:00"
    )
    # 01:00 has passed: tomorrow night
    assert clock.next_local(jobs.NIGHTLY_AT, instant("2026-03-10T02:00:00+00:00")) == instant(
        "2026-03-10T17:00:00+00:00"
    )


def test_the_schedule_is_made_once_and_keeps_its_next_run(db):
    with clock.frozen_at(instant("2026-03-10T02:00:00+00:00")):
        jobs.ensure_schedules()
    schedule = Schedule.objects.get(name=jobs.SCHEDULE_NAME)
    assert schedule.schedule_type == Schedule.DAILY
    assert import_string(schedule.func) is jobs.export_store
    assert clock.local(schedule.next_run).hour == 1
    assert clock.local_date(schedule.next_run) == date(2026, 3, 11)
    with clock.frozen_at(instant("2026-03-10T18:00:00+00:00")):
        jobs.ensure_schedules()
    assert Schedule.objects.filter(name=jobs.SCHEDULE_NAME).count() == 1
    assert Schedule.objects.get(name=jobs.SCHEDULE_NAME).next_run == schedule.next_run


def test_the_job_exports_and_stands_aside_while_another_export_runs(db, settings, tmp_path):
    settings.CITYLOOP_ANALYTICS_DIR = str(tmp_path)
    with open(tmp_path / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert jobs.export_store() == {"skipped": "another export is running"}
        assert not (tmp_path / "manifest.json").exists()
    assert jobs.export_store()["months_exported"] == []
    assert (tmp_path / "manifest.json").exists()
