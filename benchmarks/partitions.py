"""Plain vs monthly-partitioned appeals and events on PostgreSQL (decision 0014).

In a database of its own (created, then dropped): migrate to the plain tables, generate
--appeals appeals spread evenly over 24 local months with --events events each (SQL,
generate_series), time the lookups and the insert, run migration 0013 on those rows (timed),
analyse, time the same again. Prints the figures (median and p95 over --repeat runs, µs).

Usage:
  CITYLOOP_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
  python benchmarks/partitions.py [--appeals 1000000] [--events 2] [--repeat 2000]
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
BENCH_DB = "cityloop_bench_partitions"
PLAIN = [("appeals", "0012_alter_appeal_channel")]
PARTITIONED = [("appeals", "0013_monthly_partitions")]
FIRST_MONTH = "2024-12-01 00:00+08"  # 24 local months up to the end of November 2026
SPAN_SECONDS = 730 * 86400
LOCAL = ZoneInfo("Asia/Shanghai")

APPEALS_SQL = """
INSERT INTO appeals_appeal (tracking_code, channel, status, version, title, content,
  caller_name, caller_phone, caller_id_number, address_text, urgency, is_complex,
  dispatch_reason, received_at, reply_text, send_back_count, reopen_count, reply_check,
  reply_flagged, public_address, public_content, public_reply, public_title, appeal_type,
  outcome, placement)
SELECT to_char(r AT TIME ZONE 'Asia/Shanghai', 'YYMMDD') || lpad(upper(to_hex(i)), 6, '0'),
  'phone', 'closed', 5, '路灯不亮 ' || i, '小区门口路灯坏了，晚上很黑 ' || i, '张先生',
  '138' || lpad((i %% 100000000)::text, 8, '0'), '', '光华路' || (i %% 500) || '号', 'normal',
  false, '', r, '已修复', 0, 0, '{}'::jsonb, false, '', '', '', '', 'help', 'resolved', ''
FROM (SELECT i, %(start)s::timestamptz + make_interval(secs => (i - 1) * %(step)s) AS r
      FROM generate_series(1, %(count)s) AS i) AS g
"""
EVENTS_SQL = """
INSERT INTO appeals_appealevent (appeal_id, seq, action, at, actor_name, from_status,
  to_status, reason, public_note, changes)
SELECT a.id, s, CASE WHEN s = 1 THEN 'receive' ELSE 'note' END,
  a.received_at + make_interval(hours => (s - 1) * 30), '话务员', '', 'received', '', '', '{}'
FROM appeals_appeal a, generate_series(1, %(events)s) AS s
"""


def _admin_url() -> str:
    url = os.environ.get("CITYLOOP_BENCH_DATABASE_URL") or os.environ.get(
        "CITYLOOP_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    if urlparse(url).scheme not in {"postgres", "postgresql"}:
        sys.exit("benchmarks/partitions.py: needs a postgresql:// URL (PostgreSQL only)")
    return url


def _with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path="/" + name))


def _admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def _timed(repeat: int, step: Callable[[int], None]) -> tuple[float, float]:
    samples = []
    for number in range(repeat):
        started = time.perf_counter()
        step(number)
        samples.append((time.perf_counter() - started) * 1e6)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95)]


def measure(label: str, repeat: int, codes: list[tuple[int, str]], events: int) -> None:
    from django.db import connection, transaction

    rng = random.Random(7)
    inserted = itertools.count()
    picks = [rng.choice(codes) for _ in range(repeat)]
    with connection.cursor() as cursor:

        def by_code(number: int) -> None:
            cursor.execute(
                "SELECT * FROM appeals_appeal WHERE tracking_code = %s", [picks[number][1]]
            )
            assert cursor.fetchone() is not None

        def by_code_and_day(number: int) -> None:
            # the code's yymmdd is the local reception day: a range on received_at lets the
            # planner prune to one partition
            code = picks[number][1]
            day = datetime.strptime(code[:6], "%y%m%d").replace(tzinfo=LOCAL)
            cursor.execute(
                "SELECT * FROM appeals_appeal WHERE tracking_code = %s "
                "AND received_at >= %s AND received_at < %s",
                [code, day, day + timedelta(days=1)],
            )
            assert cursor.fetchone() is not None

        def by_id(number: int) -> None:
            cursor.execute("SELECT * FROM appeals_appeal WHERE id = %s", [picks[number][0]])
            assert cursor.fetchone() is not None

        def events_of(number: int) -> None:
            cursor.execute(
                "SELECT * FROM appeals_appealevent WHERE appeal_id = %s ORDER BY seq",
                [picks[number][0]],
            )
            assert len(cursor.fetchall()) == events

        def insert(number: int) -> None:
            with transaction.atomic():
                cursor.execute(
                    "INSERT INTO appeals_appeal (tracking_code, channel, status, version, title, "
                    "content, caller_name, caller_phone, caller_id_number, address_text, urgency,"
                    " is_complex, dispatch_reason, received_at, reply_text, send_back_count, "
                    "reopen_count, reply_check, reply_flagged, public_address, public_content, "
                    "public_reply, public_title, appeal_type, outcome, placement) VALUES (%s, "
                    "'phone', 'received', 1, 't', 'c', '', '', '', '', 'normal', false, '', "
                    "now(), '', 0, 0, '{}', false, '', '', '', '', 'help', '', '') RETURNING id",
                    [f"{label[:2]}{next(inserted):010d}"],
                )
                appeal_id = cursor.fetchone()[0]
                for seq in range(1, 4):
                    cursor.execute(
                        "INSERT INTO appeals_appealevent (appeal_id, seq, action, at, actor_name,"
                        " from_status, to_status, reason, public_note, changes) VALUES "
                        "(%s, %s, 'receive', now(), 'x', '', 'received', '', '', '{}')",
                        [appeal_id, seq],
                    )

        figures = [
            ("lookup by tracking_code", by_code),
            ("lookup by tracking_code + its day", by_code_and_day),
            ("lookup by id", by_id),
            (f"events of an appeal ({events})", events_of),
            ("insert appeal + 3 events (commit)", insert),
        ]
        for name, step in figures:
            step(0)  # warm the plan and the cache
            median, p95 = _timed(repeat, step)
            print(f"{label:<12} {name:<36} median {median:8.0f} µs   p95 {p95:8.0f} µs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appeals", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    if args.appeals < 1 or args.events < 1 or args.repeat < 1:
        sys.exit("benchmarks/partitions.py: --appeals, --events and --repeat must be 1 or more")
    admin = _admin_url()
    _admin(admin, f"DROP DATABASE IF EXISTS {BENCH_DB}")
    _admin(admin, f"CREATE DATABASE {BENCH_DB}")
    try:
        run(admin, args)
    finally:
        from django.db import connections

        connections.close_all()
        _admin(admin, f"DROP DATABASE IF EXISTS {BENCH_DB}")


def run(admin: str, args: argparse.Namespace) -> None:
    os.environ["CITYLOOP_DATABASE_URL"] = _with_database(admin, BENCH_DB)
    os.environ.setdefault("CITYLOOP_DATA_DIR", str(Path("/tmp") / BENCH_DB))
    os.environ["DJANGO_SETTINGS_MODULE"] = "cityloop.settings"
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    MigrationExecutor(connection).migrate(PLAIN)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        step = SPAN_SECONDS / args.appeals
        cursor.execute(APPEALS_SQL, {"start": FIRST_MONTH, "step": step, "count": args.appeals})
        cursor.execute(EVENTS_SQL, {"events": args.events})
        cursor.execute("ANALYZE appeals_appeal; ANALYZE appeals_appealevent")
        cursor.execute("SELECT id, tracking_code FROM appeals_appeal")
        codes = cursor.fetchall()
    print(
        f"{args.appeals} appeals, {args.appeals * args.events} events over 24 months: "
        f"generated in {time.perf_counter() - started:.1f} s"
    )
    measure("plain", args.repeat, codes, args.events)

    with connection.cursor() as cursor:  # the rows the plain insert added
        cursor.execute(
            "DELETE FROM appeals_appealevent WHERE appeal_id IN "
            "(SELECT id FROM appeals_appeal WHERE tracking_code LIKE 'pl%%')"
        )
        cursor.execute("DELETE FROM appeals_appeal WHERE tracking_code LIKE 'pl%%'")
    started = time.perf_counter()
    MigrationExecutor(connection).migrate(PARTITIONED)
    print(f"migration 0013 on these rows: {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE appeals_appeal; ANALYZE appeals_appealevent")
        cursor.execute(
            "SELECT count(*) FROM pg_inherits WHERE inhparent = 'appeals_appeal'::regclass"
        )
        print(f"appeals partitions: {cursor.fetchone()[0]}")
    measure("partitioned", args.repeat, codes, args.events)


if __name__ == "__main__":
    main()
