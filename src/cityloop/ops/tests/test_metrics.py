"""/metrics: request counts and latency by route, queue and appeal gauges read at scrape
time, and access only from this machine or with the token."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from cityloop.kernel import clock
from cityloop.testing import intake_over_api

OUTSIDE = "203.0.113.9"


def scrape(client: Client | None = None, **headers: str) -> dict[tuple[str, tuple], float]:
    answer = (client or Client()).get("/metrics", **headers)
    assert answer.status_code == 200, answer.content
    samples = {}
    for family in text_string_to_metric_families(answer.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def requests_of(samples, route: str, method: str, status: str) -> float:
    labels = (("method", method), ("route", route), ("status", status))
    return samples.get(("cityloop_http_requests_total", labels), 0.0)


def test_requests_are_counted_and_timed_by_route_pattern(city):
    before = scrape()
    created = intake_over_api(city, caller_phone="13912345678")
    code = created.json()["tracking_code"]
    Client().get(f"/track/{code}/")
    Client().get(f"/track/{code}/")
    after = scrape()
    assert (
        requests_of(after, "track/<str:code>/", "GET", "2xx")
        - requests_of(before, "track/<str:code>/", "GET", "2xx")
        == 2
    )
    assert (
        requests_of(after, "api/appeals", "POST", "2xx")
        - requests_of(before, "api/appeals", "POST", "2xx")
        == 1
    )
    histogram_count = (
        "cityloop_http_request_duration_seconds_count",
        (("method", "GET"), ("route", "track/<str:code>/"), ("status", "2xx")),
    )
    assert after[histogram_count] >= 2
    assert not any(code in name or code in str(labels) for name, labels in after)


def test_unknown_paths_and_methods_share_one_label_each(db):
    before = scrape()
    for path in ("/a/1", "/b/2", "/c/3"):
        Client().generic("BREW", path)
    after = scrape()
    assert (
        requests_of(after, "<unmatched>", "other", "4xx")
        - requests_of(before, "<unmatched>", "other", "4xx")
        == 3
    )


def _gauge(samples, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


def test_overdue_and_open_appeals_are_read_at_scrape_time(city):
    assert _gauge(scrape(), "cityloop_appeals_overdue") == 0
    created = intake_over_api(city, auto_dispatch=True)
    assert created.status_code == 201
    intake_over_api(city)
    now = scrape()
    assert _gauge(now, "cityloop_appeals_overdue") == 0
    assert _gauge(now, "cityloop_appeals_open", status="dispatched") == 1
    assert _gauge(now, "cityloop_appeals_open", status="received") == 1
    assert _gauge(now, "cityloop_appeals_open", status="deferred") == 0
    with clock.frozen_at(clock.now() + timedelta(days=90)):
        later = scrape()
    assert _gauge(later, "cityloop_appeals_overdue") == 1
    assert _gauge(later, "cityloop_database_metrics_up") == 1


def test_queue_depth_and_failed_jobs(db):
    from django_q.models import OrmQ, Task
    from django_q.tasks import async_task

    before = scrape()
    async_task("math.floor", 1.5)
    async_task("math.floor", 2.5)
    Task.objects.create(
        id="f" * 32, name="failed-one", func="math.floor", started=clock.now(),
        stopped=clock.now(), success=False,
    )  # fmt: skip
    after = scrape()
    assert OrmQ.objects.count() == 2
    assert _gauge(after, "cityloop_queue_depth") - _gauge(before, "cityloop_queue_depth") == 2
    assert _gauge(after, "cityloop_queue_failed_jobs") == 1


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ({}, True),  # the test client comes from 127.0.0.1
        ({"REMOTE_ADDR": OUTSIDE}, False),
        ({"REMOTE_ADDR": OUTSIDE, "HTTP_AUTHORIZATION": "Bearer s3cret-scrape"}, True),
        ({"REMOTE_ADDR": OUTSIDE, "HTTP_AUTHORIZATION": "Bearer wrong"}, False),
        ({"REMOTE_ADDR": OUTSIDE, "HTTP_AUTHORIZATION": "Basic s3cret-scrape"}, False),
    ],
)
def test_metrics_answer_loopback_or_the_token(db, settings, headers, allowed):
    settings.CITYLOOP_METRICS_TOKEN = "s3cret-scrape"
    answer = Client().get("/metrics", **headers)
    assert answer.status_code == (200 if allowed else 403)
    assert (b"cityloop_http_requests_total" in answer.content) == allowed


def test_no_token_configured_means_no_token_opens_it(db, settings):
    settings.CITYLOOP_METRICS_TOKEN = ""
    answer = Client().get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer ")
    assert answer.status_code == 403


def test_behind_the_proxy_the_clients_address_decides(db, settings):
    """nginx connects from 127.0.0.1: the address it reports is the one that counts."""
    settings.CITYLOOP_CLIENT_IP_META = "HTTP_X_REAL_IP"
    assert Client().get("/metrics", HTTP_X_REAL_IP=OUTSIDE).status_code == 403
    assert Client().get("/metrics", HTTP_X_REAL_IP="127.0.0.1").status_code == 200


def test_a_database_failure_still_answers_with_the_request_metrics(db, monkeypatch):
    from django.db import OperationalError

    from cityloop.ops.metrics import DatabaseCollector

    def refuse(self):
        raise OperationalError("down")

    monkeypatch.setattr(DatabaseCollector, "_families", refuse)
    samples = scrape()
    assert _gauge(samples, "cityloop_database_metrics_up") == 0
    assert any(name == "cityloop_http_requests_total" for name, _ in samples)


def _worker_files(directory, pid: int, requests: int, seconds: float) -> None:
    """What a gunicorn worker leaves in multiprocess mode: its counter and histogram files."""
    from prometheus_client.mmap_dict import MmapedDict, mmap_key

    labels = ["route", "method", "status"]
    values = ["healthz", "GET", "2xx"]
    counter = MmapedDict(str(directory / f"counter_{pid}.db"))
    counter.write_value(
        mmap_key("cityloop_http_requests", "cityloop_http_requests_total", labels, values, "h"),
        requests,
        0.0,
    )
    counter.close()
    histogram = MmapedDict(str(directory / f"histogram_{pid}.db"))
    name = "cityloop_http_request_duration_seconds"
    histogram.write_value(mmap_key(name, name + "_sum", labels, values, "h"), seconds, 0.0)
    histogram.write_value(
        mmap_key(name, name + "_bucket", [*labels, "le"], [*values, "0.005"], "h"), requests, 0.0
    )
    histogram.close()


def _totals(directory) -> dict[str, float]:
    from prometheus_client import CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))
    return {
        f"{sample.name}{sorted(sample.labels.items())}": sample.value
        for family in registry.collect()
        for sample in family.samples
    }


def test_a_replaced_workers_samples_are_folded_into_the_archive(tmp_path):
    """--max-requests replaces workers all day: their counts stay, their files go."""
    from cityloop.ops.metrics import fold_dead_worker

    _worker_files(tmp_path, 111, requests=7, seconds=0.01)
    _worker_files(tmp_path, 222, requests=5, seconds=0.02)
    before = _totals(tmp_path)
    assert before["cityloop_http_requests_total[('method', 'GET'), ('route', 'healthz'), "
                  "('status', '2xx')]"] == 12  # fmt: skip
    fold_dead_worker(tmp_path, 111)
    assert _totals(tmp_path) == before
    fold_dead_worker(tmp_path, 222)
    fold_dead_worker(tmp_path, 333)  # a worker that never answered a request
    assert _totals(tmp_path) == before
    assert sorted(path.name for path in tmp_path.glob("*.db")) == [
        "counter_archive.db",
        "histogram_archive.db",
    ]
    _worker_files(tmp_path, 444, requests=1, seconds=0.001)
    fold_dead_worker(tmp_path, 444)
    after = _totals(tmp_path)
    assert after["cityloop_http_request_duration_seconds_count[('method', 'GET'), "
                 "('route', 'healthz'), ('status', '2xx')]"] == 13  # fmt: skip
