"""Server time of every staff page on the demo city with --appeals appeals (default 100,000).

Each page is requested through Django's test client in this process as the demo user of
the role that uses it (so the figure is the server's own time: routing, queries, template),
once to warm up and then --repeat times; the median and the slowest are printed, with the
number of SQL queries. The target is under 300 ms.

Usage: python benchmarks/pages.py [--appeals 100000] [--repeat 5]
The database is created under benchmarks/out/pages/ and reused by later runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
os.environ.setdefault("CITYLOOP_DATA_DIR", str(ROOT / "out" / "pages"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityloop.settings")
TARGET_MS = 300


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--appeals", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from cityloop.appeals.models import Appeal
    from cityloop.cli import _prepare_database, _progress
    from cityloop.demo.generator import generate_demo_city, train_demo_model
    from cityloop.kernel import clock
    from cityloop.org.models import StaffProfile

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    _prepare_database()
    existing = Appeal.objects.count()
    if existing < args.appeals:
        started = time.perf_counter()
        generate_demo_city(
            seed=args.seed, appeals=args.appeals - existing, days=365, progress=_progress
        )
        print(
            f"generated {args.appeals - existing:,} appeals in "
            f"{time.perf_counter() - started:.0f} s"
        )
    train_demo_model(_progress)  # when the stored model is missing or from an older format
    print(
        f"appeals in the database: {Appeal.objects.count():,}  "
        f"({settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]})"
    )

    handler_unit = StaffProfile.objects.get(user__username="handler").unit
    busy = Appeal.objects.filter(main_unit=handler_unit).order_by("-received_at").first()
    sample = busy or Appeal.objects.order_by("-received_at").first()
    assert sample is not None
    phone = sample.caller_phone
    month = f"{clock.local_date(sample.received_at):%Y-%m}"
    text = {"content": "小区门口路灯不亮，井盖松动", "address_text": sample.address_text}
    pages = [
        ("calltaker", "GET", "/console/", None),
        ("calltaker", "GET", f"/console/caller/?caller_phone={phone}", None),
        ("calltaker", "POST", "/console/understand/", text),
        ("dispatcher", "GET", "/queue/", None),
        ("handler", "GET", "/worklist/", None),
        ("handler", "GET", "/worklist/?view=handling", None),
        ("handler", "GET", f"/appeals/{sample.tracking_code}/", None),
        ("supervisor", "GET", "/board/", None),
        ("district", "GET", "/board/", None),
        ("supervisor", "GET", f"/assessment/?month={month}", None),
        ("supervisor", "GET", f"/assessment/appeals/?month={month}&unit={handler_unit.code}", None),
        ("supervisor", "GET", f"/assessment/?month={month}&format=xlsx", None),
        # cuts the Chinese font for each document (assessment/pdf_font.py)
        ("supervisor", "GET", f"/assessment/?month={month}&format=pdf", None),
        ("supervisor", "GET", "/dashboard/", None),
        ("supervisor", "GET", "/dashboard/data.json", None),
    ]
    print(
        f"{'role':11s} {'page':62s} {'status':>6s} {'median':>8s} {'slowest':>8s} {'queries':>7s}"
    )
    worst = 0.0
    for username, method, path, data in pages:
        client = Client()
        client.force_login(StaffProfile.objects.get(user__username=username).user)
        request = (
            (lambda c=client, p=path, d=data: c.post(p, d))
            if method == "POST"
            else (lambda c=client, p=path: c.get(p))
        )
        request()
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = request()
                times.append((time.perf_counter() - started) * 1000)
        median = statistics.median(times)
        worst = max(worst, median)
        print(
            f"{username:11s} {method + ' ' + path[:57]:62s} {response.status_code:>6d} "
            f"{median:7.0f}ms {max(times):7.0f}ms {len(queries):>7d}"
        )
    verdict = "within" if worst < TARGET_MS else "OVER"
    print(f"slowest page median: {worst:.0f} ms ({verdict} the {TARGET_MS} ms target)")


if __name__ == "__main__":
    main()
