"""Prometheus metrics: the request counter and latency histogram (observed by the request
middleware), and the gauges read from the database when /metrics is scraped.

Under gunicorn each worker is a process of its own, so `cityloop serve` points
PROMETHEUS_MULTIPROC_DIR at DATA_DIR/metrics before anything imports prometheus_client:
every worker then writes its samples to files there and a scrape, answered by any one
worker, adds them up (prometheus_client's multiprocess mode). A worker replaced after
--max-requests has its samples folded into one archive file by the master, so the files do
not pile up. Without the variable (tests, `manage runserver`) the samples live in this
process."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

from cityloop.ops.serving import MULTIPROCESS_ENV

REQUESTS_REGISTRY = CollectorRegistry()
REQUESTS = Counter(
    "cityloop_http_requests",
    "HTTP requests answered, by route pattern, method and status class",
    ["route", "method", "status"],
    registry=REQUESTS_REGISTRY,
)
# From 5 ms (a cached page) to 10 s (an export); the intake goal is well under 100 ms.
LATENCY = Histogram(
    "cityloop_http_request_duration_seconds",
    "Time to answer an HTTP request, by route pattern, method and status class",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REQUESTS_REGISTRY,
)


class _Observers:
    """The labelled children, looked up once per (route, method, status class): .labels()
    takes a lock and validates its arguments, too dear for every request."""

    def __init__(self) -> None:
        self._children: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    def observe(self, route: str, method: str, status_class: str, seconds: float) -> None:
        key = (route, method, status_class)
        children = self._children.get(key)
        if children is None:
            children = (REQUESTS.labels(*key), LATENCY.labels(*key))
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)


observe_request = _Observers().observe


def worker_exited(server: Any, worker: Any) -> None:
    """gunicorn's child_exit hook, in the master: the gone worker's samples are folded into
    the archive (its live gauges dropped)."""
    directory = os.environ.get(MULTIPROCESS_ENV)
    if directory:
        mark_process_dead(worker.pid, directory)
        fold_dead_worker(Path(directory), worker.pid)


@contextlib.contextmanager
def _files_held(directory: Path, *, exclusive: bool) -> Iterator[None]:
    """Scrapes read the files together (shared); a fold changes them alone (exclusive), so
    no scrape sees a dead worker's counts twice or not at all."""
    with open(directory / "fold.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield  # closing the file releases the lock


def fold_dead_worker(directory: Path, pid: int) -> None:
    """Add a dead worker's counter and histogram samples to one archive file per kind and
    remove its files. Workers are replaced every --max-requests: without this the directory
    would gain two files per replacement, and every scrape reads them all."""
    with _files_held(directory, exclusive=True):
        for kind in ("counter", "histogram"):
            dead = directory / f"{kind}_{pid}.db"
            if not dead.exists():
                continue
            archive = MmapedDict(str(directory / f"{kind}_archive.db"))
            try:
                for key, value, timestamp, _ in MmapedDict.read_all_values_from_file(str(dead)):
                    kept, _ = archive.read_value(key)
                    archive.write_value(key, kept + value, timestamp)
            finally:
                archive.close()
            dead.unlink()


class DatabaseCollector:
    """Figures read from the database at scrape time: a few COUNT queries on indexed columns
    (or on django-q2's small tables), so a scrape every 15 s costs nothing that matters."""

    def collect(self) -> Iterator[Metric]:
        from django.db import DatabaseError

        up = GaugeMetricFamily(
            "cityloop_database_metrics_up", "1 when the database figures below could be read"
        )
        try:
            families = list(self._families())
        except DatabaseError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self) -> Iterable[Metric]:
        from django.db.models import Count
        from django_q.models import Failure, OrmQ

        from cityloop.appeals.deadlines import overdue_q
        from cityloop.appeals.enums import OPEN_STATUSES, in_status_order
        from cityloop.appeals.models import Appeal
        from cityloop.kernel import clock

        queued = GaugeMetricFamily(
            "cityloop_queue_depth", "Jobs waiting in the django-q2 broker (OrmQ rows)"
        )
        queued.add_metric([], OrmQ.objects.count())
        yield queued

        failed = GaugeMetricFamily(
            "cityloop_queue_failed_jobs",
            "Failed jobs kept by django-q2 (its Failure list; kept up to Q_CLUSTER save_limit)",
        )
        failed.add_metric([], Failure.objects.count())
        yield failed

        overdue = GaugeMetricFamily(
            "cityloop_appeals_overdue", "Appeals past their reply deadline (超期) now"
        )
        overdue.add_metric([], Appeal.objects.filter(overdue_q(clock.now())).count())
        yield overdue

        by_status = dict(
            Appeal.objects.filter(status__in=OPEN_STATUSES)
            .order_by()
            .values_list("status")
            .annotate(count=Count("pk"))
            .values_list("status", "count")
        )
        open_appeals = GaugeMetricFamily(
            "cityloop_appeals_open", "Open appeals by status", labels=["status"]
        )
        for status in in_status_order(OPEN_STATUSES):
            open_appeals.add_metric([status.value], by_status.get(status.value, 0))
        yield open_appeals


class _Scrape:
    """What one scrape exposes: every process's request samples, then the database's
    figures, read once by whichever worker answers."""

    def collect(self) -> Iterator[Metric]:
        directory = os.environ.get(MULTIPROCESS_ENV)
        if directory:
            process_samples = CollectorRegistry()
            MultiProcessCollector(process_samples, path=directory)
            with _files_held(Path(directory), exclusive=False):
                collected = list(process_samples.collect())
            yield from collected
        else:
            yield from REQUESTS_REGISTRY.collect()
        yield from DatabaseCollector().collect()


def exposition() -> bytes:
    from prometheus_client import generate_latest

    return generate_latest(_Scrape())  # type: ignore[arg-type]
