"""Benchmark of the appeal loop. Prints:

- appeals created per second through the service layer (intake + rule dispatch + deadlines
  + events, one transaction each),
- appeals created per second through HTTP (POST /api/appeals with a bearer token, against
  `cityloop serve` under gunicorn on loopback, several client threads), with p50/p99,
- the time of the monthly three-rates ranking over a demo history of --history appeals.

Usage:
  python benchmarks/loop.py [--history 1000000] [--service 2000] [--http 2000]
  CITYLOOP_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench python benchmarks/loop.py

On SQLite the database is created under benchmarks/out/ (reused when it already holds the
history, so a second run measures without regenerating).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
os.environ.setdefault("CITYLOOP_DATA_DIR", str(ROOT / "out"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityloop.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--history", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--service", type=int, default=2000)
    parser.add_argument("--http", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings

    from cityloop.appeals.models import Appeal
    from cityloop.cli import _prepare_database, _progress
    from cityloop.demo.generator import generate_demo_city

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"database: {engine}  python {sys.version.split()[0]}  cpus {os.cpu_count()}")
    _prepare_database()
    existing = Appeal.objects.count()
    if existing < args.history:
        started = time.perf_counter()
        generate_demo_city(
            seed=args.seed, appeals=args.history - existing, days=args.days, progress=_progress
        )
        elapsed = time.perf_counter() - started
        print(
            f"generated {args.history - existing:,} demo appeals in {elapsed:.0f} s "
            f"({(args.history - existing) / elapsed:,.0f}/s, with all their events)"
        )
    total = Appeal.objects.count()
    print(f"appeals in the database: {total:,}")

    ranking_time()
    if args.service:
        service_rate(args.service)
    if args.http:
        http_rate(args.http, args.clients)


def ranking_time() -> None:
    from django.db.models import Max

    from cityloop.assessment.rates import monthly_ranking
    from cityloop.evaluate.models import Callback
    from cityloop.kernel import clock

    latest = Callback.objects.aggregate(Max("at"))["at__max"]
    month = clock.first_of_month(clock.local_date(latest))
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        ranking = monthly_ranking(month)
        timings.append(time.perf_counter() - started)
    valid = sum(s.valid for s in ranking.rows)
    print(
        f"monthly three-rates ranking {month:%Y-%m}: {len(ranking.ranked)} units ranked, "
        f"{len(ranking.apart)} with too few callbacks, {valid:,} valid "
        f"callbacks, best of 3: {min(timings) * 1000:.0f} ms (first {timings[0] * 1000:.0f} ms)"
    )


def _sample_drafts(count: int) -> list[dict[str, object]]:
    import random

    from cityloop.geo.models import StandardAddress
    from cityloop.taxonomy.models import Category

    rng = random.Random(1)
    addresses = list(StandardAddress.objects.values_list("code", flat=True)[:5000])
    categories = list(
        Category.objects.filter(level=3, path__startswith="城乡建设").values_list("code", flat=True)
    )
    return [
        {
            "channel": "phone",
            "title": "小区路灯不亮",
            "content": "我家楼下的路灯已经坏了一个星期，晚上出行很不方便，请尽快维修。",
            "caller_name": "测试",
            "caller_phone": f"139{rng.randrange(10**8):08d}",
            "standard_address_code": rng.choice(addresses),
            "category_code": rng.choice(categories),
        }
        for _ in range(count)
    ]


def service_rate(count: int) -> None:
    from cityloop.access.actors import Actor
    from cityloop.intake.services import AppealDraft, receive_appeal
    from cityloop.org.models import Role, StaffProfile

    profile = StaffProfile.objects.filter(role=Role.CALL_TAKER).select_related("user").first()
    assert profile is not None
    actor = Actor.from_user(profile.user)
    drafts = _sample_drafts(count)
    started = time.perf_counter()
    for draft in drafts:
        receive_appeal(AppealDraft(**draft), actor=actor)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - started
    print(
        f"service layer: {count:,} appeals received and dispatched in {elapsed:.1f} s = "
        f"{count / elapsed:,.0f} appeals/s (one process, one transaction each)"
    )


def http_rate(count: int, clients: int) -> None:
    from cityloop.org.models import ApiToken, Role, StaffProfile

    profile = StaffProfile.objects.filter(role=Role.CALL_TAKER).select_related("user").first()
    assert profile is not None
    token = ApiToken.issue(profile.user, "benchmark")
    port = 18765
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cityloop",
            "serve",
            "--no-demo",
            "--no-worker",
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=os.environ.copy(),
    )
    try:
        _wait_for(port)
        drafts = _sample_drafts(count)
        latencies: list[float] = []
        lock = threading.Lock()
        cursor = iter(drafts)
        failures = [0]

        def client() -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            while True:
                with lock:
                    draft = next(cursor, None)
                if draft is None:
                    return
                started = time.perf_counter()
                connection.request("POST", "/api/appeals", json.dumps(draft), headers)
                response = connection.getresponse()
                response.read()
                took = time.perf_counter() - started
                with lock:
                    latencies.append(took)
                    failures[0] += response.status != 201

        threads = [threading.Thread(target=client) for _ in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        latencies.sort()
        p50 = statistics.median(latencies) * 1000
        p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
        print(
            f"HTTP POST /api/appeals: {count:,} requests, {clients} clients, gunicorn 2 workers "
            f"× 4 threads: {count / elapsed:,.0f} appeals/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
            f"{failures[0]} non-201"
        )
    finally:
        server.terminate()
        server.wait(10)


def _wait_for(port: int) -> None:
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/docs")
            if connection.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("server did not start")


if __name__ == "__main__":
    main()
