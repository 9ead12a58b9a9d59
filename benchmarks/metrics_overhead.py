"""What the request observation costs (ops/middleware.py: request id, one JSON log line,
the request counter and latency histogram). Prints microseconds per request through a
trivial view with and without the middleware, in prometheus_client's multiprocess mode (as
`cityloop serve` runs it: samples written to files) and, for comparison, in-process.
No database, no server: the middleware alone, on one thread, in CPU time.

Usage: python benchmarks/metrics_overhead.py [--requests 20000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time

os.environ["CITYLOOP_DATA_DIR"] = tempfile.mkdtemp(prefix="cityloop-metrics-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityloop.settings")
os.environ["CITYLOOP_LOG_FORMAT"] = "json"
MULTIPROCESS = "--in-process" not in sys.argv
if MULTIPROCESS:
    # before django-q2 (as Django starts) imports prometheus_client
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="cityloop-metrics-")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--in-process", action="store_true", help="no multiprocess files")
    args = parser.parse_args()

    import django

    django.setup()
    from django.http import HttpRequest, HttpResponse
    from django.test import RequestFactory
    from django.urls import resolve

    from cityloop.ops.middleware import RequestObservationMiddleware

    # The log line goes where the journal's pipe would take it; /dev/null keeps the
    # terminal quiet and costs what a write costs.
    sink = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115
    sink.setFormatter(logging.getLogger().handlers[0].formatter)
    request_log = logging.getLogger("cityloop.request")
    request_log.handlers = [sink]
    request_log.propagate = False

    def view(request: HttpRequest) -> HttpResponse:
        request.resolver_match = match  # what Django's URL resolution leaves on the request
        return HttpResponse(b"ok")

    match = resolve("/track/ZZ20260101000001/")
    factory = RequestFactory()
    requests = [factory.get("/track/ZZ20260101000001/") for _ in range(args.requests)]
    observed = RequestObservationMiddleware(view)

    def per_request(handler: object) -> float:
        # CPU time of this thread: the figure holds on a busy shared machine, where wall
        # time would count the other processes' turns.
        started = time.thread_time()
        for request in requests:
            handler(request)  # type: ignore[operator]
        return (time.thread_time() - started) / len(requests) * 1e6

    per_request(observed)  # warm: the labelled children, the files
    bare = [per_request(view) for _ in range(args.repeats)]
    with_middleware = [per_request(observed) for _ in range(args.repeats)]
    request_log.setLevel(logging.WARNING)
    without_log = [per_request(observed) for _ in range(args.repeats)]

    mode = "multiprocess (files)" if MULTIPROCESS else "in-process"
    overhead = statistics.median(with_middleware) - statistics.median(bare)
    print(f"metrics mode: {mode}; {args.requests} requests × {args.repeats} repeats, medians")
    for label, figure in [
        ("view alone", statistics.median(bare)),
        ("with the middleware (log + metrics)", statistics.median(with_middleware)),
        ("with the middleware, request log off", statistics.median(without_log)),
        ("overhead (log + metrics)", overhead),
    ]:
        print(f"  {label:<38} {figure:7.2f} µs/request")


if __name__ == "__main__":
    main()
