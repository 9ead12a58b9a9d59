"""Server time of the Open311 endpoints on the demo city with --appeals appeals (default
20,000), through Django's test client in this process: the server's own time (routing,
key check and use log, intake, queries, XML/JSON), no network. POST requests files
--repeat new appeals (each is taken in and dispatched by the rules); the reads are the
default window of GET requests (up to 1,000 in one answer), one request with its notes,
and the service list. Prints median, p99 and the SQL queries of the last call.

Usage: python benchmarks/open311.py [--appeals 20000] [--repeat 50]
The database is created under benchmarks/out/open311/ and reused by later runs. The load
test over the network (wrk, PostgreSQL) is a separate matter: this measures one request.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
os.environ.setdefault("CITYLOOP_DATA_DIR", str(ROOT / "out" / "open311"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityloop.settings")
os.environ.setdefault("CITYLOOP_THROTTLE", "off")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--appeals", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from cityloop.access.actors import Actor
    from cityloop.access.keys import issue_key
    from cityloop.appeals.models import Appeal
    from cityloop.cli import _prepare_database, _progress
    from cityloop.demo.generator import generate_demo_city
    from cityloop.geo.models import StandardAddress
    from cityloop.org.models import KeyScope, Role
    from cityloop.taxonomy.models import Category

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    _prepare_database()
    existing = Appeal.objects.count()
    if existing < args.appeals:
        generate_demo_city(
            seed=args.seed, appeals=args.appeals - existing, days=120, progress=_progress
        )
    print(f"appeals in the database: {Appeal.objects.count():,}")
    _key, raw = issue_key(
        actor=Actor(Role.ADMIN, "benchmark"),
        name="benchmark",
        scopes=[KeyScope.OPEN311_WRITE, KeyScope.OPEN311_READ],
        rate_per_minute=100_000,
    )
    category = Category.objects.get(path="城乡建设 › 城市建设和市政管理 › 城市公共设施")
    address = StandardAddress.objects.order_by("pk").first()
    assert address is not None
    post = {
        "api_key": raw,
        "service_code": category.code,
        "address_id": address.code,
        "description": "小区门口路灯不亮，晚上很黑",
        "phone": "13800138000",
    }
    sample = Appeal.objects.order_by("-received_at").first()
    assert sample is not None
    client = Client()
    calls = [
        ("POST requests.json", lambda: client.post("/open311/v2/requests.json", post)),
        ("POST requests.xml", lambda: client.post("/open311/v2/requests.xml", post)),
        ("GET requests.json (default window)", lambda: client.get("/open311/v2/requests.json")),
        ("GET requests.xml (default window)", lambda: client.get("/open311/v2/requests.xml")),
        (
            "GET requests/{id}.json?extensions=true",
            lambda: client.get(f"/open311/v2/requests/{sample.tracking_code}.json?extensions=true"),
        ),
        ("GET services.json", lambda: client.get("/open311/v2/services.json")),
    ]
    print(f"{'call':42s} {'status':>6s} {'median':>8s} {'p99':>8s} {'queries':>7s}")
    for label, call in calls:
        call()  # warm up
        times = []
        repeat = args.repeat if label.startswith("POST") else max(5, args.repeat // 5)
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = call()
                times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(
            f"{label:42s} {response.status_code:>6d} {statistics.median(times):7.1f}ms "
            f"{p99:7.1f}ms {len(queries):>7d}"
        )


if __name__ == "__main__":
    main()
