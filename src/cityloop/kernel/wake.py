"""Waking the worker after a commit, cheaply enough for the intake's hot path.

Putting a job on django-q2's queue costs a pickled, signed row in the broker table: more
than the rest of an intake. A drain job sends everything that is due when it runs, so one
request to run it per process per WAKE_INTERVAL_SECONDS is enough while requests keep
coming: a message committed just after the job started is picked up by the next wake-up
(under load, within the interval) or, when the traffic stops right then, by the job's
every-minute sweep. Nothing is lost either way: the outbox rows are durable, only the
moment of sending moves.
"""

from __future__ import annotations

import threading
import time

from django.db import transaction

WAKE_INTERVAL_SECONDS = 1.0

_lock = threading.Lock()
_last_wake: dict[str, float] = {}


def wake_after_commit(job: str, task_name: str) -> None:
    """Ask the worker to run `job` (a dotted path) once the current transaction commits:
    once per transaction, and at most once per interval in this process."""
    connection = transaction.get_connection()
    if any(getattr(func, "wakes", None) == job for *_s, func, _r in connection.run_on_commit):
        return

    def wake() -> None:
        now = time.monotonic()
        with _lock:
            if now - _last_wake.get(job, -WAKE_INTERVAL_SECONDS) < WAKE_INTERVAL_SECONDS:
                return
            _last_wake[job] = now
        from django_q.tasks import async_task

        async_task(job, task_name=task_name)

    wake.wakes = job  # type: ignore[attr-defined]
    transaction.on_commit(wake, robust=True)


def forget_wake_ups() -> None:
    """Tests: every test starts as a fresh process would."""
    with _lock:
        _last_wake.clear()
