"""The analytics store at scale: the export's rate on a real database, and the reads the
nightly early-warning run and the monthly ranking make, on 10 million appeals.

1. export: a SQLite record of ~200k appeals (a small demo city, every appeal copied with its
   callbacks and events by INSERT … SELECT, spread over three years) exported by the real
   exporter (`export_store(full=True)`); its rate extrapolated to 10 million appeals.
2. store: 10 million synthetic appeals on the record's own demo geography (16 districts,
   349 streets, 2,675 grids) and leaf categories, three years with a weekly and seasonal
   rhythm and the Spring Festival's dip, and their callbacks, generated straight into the
   store's Parquet files by DuckDB; then timed: the nightly warning's reads (365 days ×
   streets × categories; 30 days × grids; 30 days of text), the whole nightly warning run
   (rises, the scan of every grid, topics, alerts saved) and the monthly three-rates
   ranking. Each part runs in a process of its own so its peak memory (max RSS) is its own.

Everything lives in a temporary directory, removed at the end.

    PYTHONPATH=src python benchmarks/analytics_store.py [--appeals N] [--export-appeals N]

Goals on the project's 2-core machine: nightly read < 60 s, ranking < 2 s, memory < 2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

FIRST_DAY = date(2023, 12, 1)
DAYS = 3 * 365 + 1
GB = 1024**3


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kilobytes


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def setup_django(data_dir: Path, store: Path) -> None:
    os.environ["CITYLOOP_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityloop.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.CITYLOOP_ANALYTICS_DIR = str(store)


# ---------------------------------------------------------------------------- 1. export


def build_record(target: int) -> dict[str, int]:
    """A demo city of a few hundred appeals, each copied until the record holds `target`,
    the copies spread month by month over three years."""
    from django.core.management import call_command
    from django.db import connection

    from cityloop.appeals.models import Appeal, AppealEvent
    from cityloop.demo.generator import generate_demo_city
    from cityloop.evaluate.models import Callback

    call_command("migrate", interactive=False, verbosity=0)
    base = 400
    say(f"export: building a demo city of {base} appeals…")
    # the whole city's geography (2,675 grids): the nightly run scans every grid
    generate_demo_city(seed=7, appeals=base, days=60, end=date(2026, 10, 31))
    copies = max(1, round(target / Appeal.objects.count()) - 1)
    appeal_columns = [f.column for f in Appeal._meta.concrete_fields if f.column != "id"]
    shifted = {
        "tracking_code": "a.tracking_code || '~' || c.n",
        # each copy n goes back n mod 36 months, whole 30-day steps
        "received_at": "datetime(a.received_at, '-' || ((c.n % 36) * 30) || ' days')",
    }
    select = ", ".join(shifted.get(col, f"a.{col}") for col in appeal_columns)
    say(f"export: copying them {copies} times…")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE copies (n INTEGER PRIMARY KEY)")
        cursor.execute(
            "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < %s) "
            "INSERT INTO copies SELECT n FROM c",
            [copies],
        )
        cursor.execute(
            f"INSERT INTO appeals_appeal ({', '.join(appeal_columns)}) SELECT {select} "
            "FROM appeals_appeal a CROSS JOIN copies c WHERE a.tracking_code NOT LIKE '%%~%%'"
        )
        for model in (Callback, AppealEvent):
            table = model._meta.db_table
            columns = [f.column for f in model._meta.concrete_fields if f.column != "id"]
            picked = ", ".join("n.id" if col == "appeal_id" else f"r.{col}" for col in columns)
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT {picked} FROM {table} r "
                "JOIN appeals_appeal a ON a.id = r.appeal_id CROSS JOIN copies c "
                "JOIN appeals_appeal n ON n.tracking_code = a.tracking_code || '~' || c.n "
                "WHERE a.tracking_code NOT LIKE '%%~%%'"
            )
    return {
        "appeals": Appeal.objects.count(),
        "callbacks": Callback.objects.count(),
        "events": AppealEvent.objects.count(),
    }


def run_export(args: argparse.Namespace) -> dict[str, Any]:
    from cityloop.analytics.store import export_store

    record = build_record(args.export_appeals)
    say(f"export: record of {record['appeals']:,} appeals; exporting…")
    started = time.perf_counter()
    summary = export_store(full=True, progress=say if args.verbose else None)
    seconds = time.perf_counter() - started
    rate = record["appeals"] / seconds
    started = time.perf_counter()
    export_store()
    nothing_changed = time.perf_counter() - started
    return {
        "record": record,
        "months": summary.months_in_record,
        "export_seconds": round(seconds, 1),
        "appeals_per_second": round(rate),
        "extrapolated_seconds_for": {
            f"{args.appeals:,}": round(args.appeals / rate),
        },
        "second_run_nothing_changed_seconds": round(nothing_changed, 2),
        "peak_rss_gb": round(peak_rss_bytes() / GB, 2),
    }


# ---------------------------------------------------------------------------- 2. store


def day_weights_sql() -> str:
    """Each day of the three years with its share of the appeals: weekends lower, summer
    (rain, noise) and winter (heating) higher, the Spring Festival week much lower."""
    festivals = [date(2024, 2, 10), date(2025, 1, 29), date(2026, 2, 17)]
    festival_days = ", ".join(
        f"DATE '{day + timedelta(days=k)}'" for day in festivals for k in range(-1, 7)
    )
    return (
        f"SELECT d::DATE AS day, "
        "(CASE WHEN isodow(d) >= 6 THEN 0.7 ELSE 1.0 END) "
        "* (1 + 0.25 * cos(2 * pi() * (dayofyear(d) - 200) / 365.0)) "
        "* (1 + 0.15 * cos(2 * pi() * (dayofyear(d) - 15) / 365.0)) "
        f"* (CASE WHEN d::DATE IN ({festival_days}) THEN 0.4 ELSE 1.0 END) AS weight "
        f"FROM range(DATE '{FIRST_DAY}', DATE '{FIRST_DAY + timedelta(days=DAYS)}', "
        "INTERVAL 1 DAY) t(d)"
    )


TITLES = [
    "路灯不亮",
    "噪音扰民",
    "暖气不热",
    "道路积水",
    "垃圾清运不及时",
    "占道经营",
    "违章停车",
    "小区漏水",
    "施工扰民",
    "电梯故障",
]


def generate_store(
    store: Path, appeals: int, unit_ids: list[int], places: list[Any], categories: list[Any]
) -> dict[str, int]:
    """`appeals` synthetic appeals and their callbacks, month by month, in the store's
    layout and columns (analytics.tables), written by DuckDB."""
    import duckdb

    from cityloop.analytics.store import Manifest, partition_path
    from cityloop.analytics.tables import APPEALS, CALLBACKS

    con = duckdb.connect()
    con.execute("SET memory_limit = '1GB'")
    con.execute(f"CREATE TABLE days AS {day_weights_sql()}")
    con.execute(
        "CREATE TABLE cum AS SELECT day, strftime(day, '%Y-%m') AS month, "
        "sum(weight) OVER (ORDER BY day) / sum(weight) OVER () AS upto FROM days"
    )
    con.execute("CREATE TABLE units AS SELECT unnest(?::BIGINT[]) AS unit_id", [unit_ids])
    con.execute(
        "CREATE TABLE unit_index AS SELECT row_number() OVER () - 1 AS k, unit_id FROM units"
    )
    # the record's own grids (with their street and district) and leaf categories (with
    # their second- and first-level ones), so the nightly run can place what it finds
    con.execute(
        "CREATE TABLE places (k BIGINT, grid_id BIGINT, street_id BIGINT, district_id BIGINT)"
    )
    con.executemany(
        "INSERT INTO places VALUES (?, ?, ?, ?)", [(k, *p) for k, p in enumerate(places)]
    )
    con.execute("CREATE TABLE cats (k BIGINT, category_id BIGINT, l2 BIGINT, l1 BIGINT)")
    con.executemany(
        "INSERT INTO cats VALUES (?, ?, ?, ?)", [(k, *c) for k, c in enumerate(categories)]
    )
    titles = "[" + ", ".join(f"'{t}'" for t in TITLES) + "]"
    months = con.execute(
        "SELECT month, max(upto) FROM cum GROUP BY month ORDER BY month"
    ).fetchall()
    counts = {"appeals": 0, "callbacks": 0}
    manifest = Manifest()
    first_id = 1
    units = len(unit_ids)
    low = 0.0
    for month, upto in months:
        n = round(appeals * upto) - round(appeals * low)
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE month_appeals AS
            WITH drawn AS (
                SELECT {first_id} + i AS id, ? + random() * (? - ?) AS u,
                       floor({len(places)} * pow(random(), 1.6))::BIGINT AS grid,
                       floor({len(categories)} * pow(random(), 2.0))::BIGINT AS category,
                       random() AS r
                FROM range(?) t(i)
            )
            SELECT d.id, 'C' || lpad(d.id::VARCHAR, 10, '0') AS tracking_code,
                   c.day + to_seconds((d.r * 86400)::BIGINT) - INTERVAL 8 HOUR AS received_at,
                   c.day AS received_day, c.month,
                   CASE WHEN d.r < 0.7 THEN 'phone' ELSE 'web' END AS channel,
                   'closed' AS status,
                   CASE WHEN d.r < 0.05 THEN 'suggestion' WHEN d.r < 0.4 THEN 'complaint'
                        ELSE 'help' END AS appeal_type,
                   'resolved' AS outcome, 'normal' AS urgency,
                   k.category_id, k.l2 AS category_l2_id, k.l1 AS category_l1_id,
                   p.district_id, p.street_id, p.grid_id,
                   u.unit_id AS main_unit_id,
                   39.9 + d.r / 10 AS lat, 116.4 + d.r / 10 AS lng,
                   c.day + INTERVAL 3 DAY AS replied_at, c.day + INTERVAL 5 DAY AS closed_at,
                   6 AS version,
                   {titles}[1 + d.category % 10] AS title,
                   {titles}[1 + d.category % 10] || '，位于第' || d.grid
                       || '网格，请尽快处理' AS content
            FROM drawn d ASOF JOIN cum c ON d.u <= c.upto
            JOIN unit_index u ON u.k = d.grid % {units}
            JOIN places p ON p.k = d.grid
            JOIN cats k ON k.k = d.category
            """,
            [low, upto, low, n],
        )
        target = partition_path(store, APPEALS, month)
        target.parent.mkdir(parents=True, exist_ok=True)
        con.execute(
            f"COPY (SELECT {APPEALS.select_list} FROM month_appeals ORDER BY id) "
            f"TO '{target}' (FORMAT parquet, COMPRESSION zstd)"
        )
        # callbacks for 70 % of the appeals, five days after; one in twenty not the latest
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE month_callbacks AS
            SELECT id, id AS appeal_id, main_unit_id AS unit_id,
                   received_at + INTERVAL 5 DAY AS at,
                   (received_at + INTERVAL 5 DAY + INTERVAL 8 HOUR)::DATE AS day,
                   strftime(received_at + INTERVAL 5 DAY + INTERVAL 8 HOUR, '%Y-%m') AS month,
                   '{month}' AS appeal_month,
                   random() < 0.92 AS is_valid, random() < 0.95 AS is_latest,
                   random() < 0.97 AS contacted, random() < 0.8 AS resolved,
                   CASE WHEN random() < 0.75 THEN 'satisfied'
                        WHEN random() < 0.6 THEN 'basically_satisfied'
                        ELSE 'dissatisfied' END AS satisfaction,
                   appeal_type, random() < 0.01 AS excluded
            FROM month_appeals WHERE random() < 0.7
            """
        )
        target = partition_path(store, CALLBACKS, month)
        target.parent.mkdir(parents=True, exist_ok=True)
        con.execute(
            f"COPY (SELECT {CALLBACKS.select_list} FROM month_callbacks ORDER BY id) "
            f"TO '{target}' (FORMAT parquet, COMPRESSION zstd)"
        )
        made = con.execute("SELECT count(*) FROM month_callbacks").fetchone()[0]
        counts["appeals"] += n
        counts["callbacks"] += made
        manifest.months[month] = {"rows": {"appeals": n, "callbacks": made}}
        first_id += n
        low = upto
        say(f"store: {month} {n:,} appeals")
    manifest.save(store)
    con.close()
    return counts


def record_places() -> list[tuple[int, int, int]]:
    """(grid, street, district) ids of the record's grids (grid → community → street)."""
    from cityloop.geo.models import Area, AreaLevel

    grids = Area.objects.filter(level=AreaLevel.GRID).select_related("parent__parent__parent")
    return [
        (grid.pk, grid.parent.parent.pk, grid.parent.parent.parent_id)  # type: ignore[union-attr]
        for grid in grids.order_by("code")
    ]


def leaf_categories() -> list[tuple[int, int, int]]:
    """(leaf, second level, first level) ids of the taxonomy's third-level categories."""
    from cityloop.taxonomy.models import Category

    leaves = Category.objects.filter(level=3).select_related("parent")
    return [(c.pk, c.parent_id, c.parent.parent_id) for c in leaves.order_by("code")]  # type: ignore[union-attr]


def nightly_warning_run(last: date) -> dict[str, Any]:
    """The whole nightly run (warning.nightly.run_warnings) on the store: rises, the scan of
    every grid × 30 days × 999 replications, emerging topics, alerts saved; seconds per
    stage."""
    from cityloop.warning.nightly import run_warnings

    marks: list[tuple[str, float]] = []

    def mark(stage: str) -> None:
        marks.append((stage, time.perf_counter()))
        say(f"nightly: {stage}")

    started = time.perf_counter()
    run = run_warnings(as_of=last, trigger="benchmark", progress=mark)
    ended = time.perf_counter()
    stages = {}
    for (stage, at), (_next, until) in zip(marks, [*marks[1:], ("end", ended)], strict=True):
        stages[stage] = round(until - at, 2)
    return {
        "seconds": round(ended - started, 2),
        "stages": stages,
        "alerts": run.alerts_found,
    }


def run_store(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command

    from cityloop.analytics import queries
    from cityloop.org.models import Unit

    call_command("migrate", interactive=False, verbosity=0)
    unit_ids = list(Unit.objects.order_by("pk").values_list("pk", flat=True)[:300])
    store = Path(args.store)
    started = time.perf_counter()
    counts = generate_store(store, args.appeals, unit_ids, record_places(), leaf_categories())
    generated = time.perf_counter() - started
    size = sum(p.stat().st_size for p in store.rglob("*.parquet"))
    last = FIRST_DAY + timedelta(days=DAYS - 1)
    figures: dict[str, Any] = {
        "store": counts,
        "units": len(unit_ids),
        "generate_seconds": round(generated, 1),
        "store_gb": round(size / GB, 2),
    }
    rss_before_reads = peak_rss_bytes()

    started = time.perf_counter()
    daily = queries.daily_counts(
        since=last - timedelta(days=364), until=last, area_level="street", category_level=0
    )
    figures["daily_counts_365d_streets_x_categories"] = {
        "seconds": round(time.perf_counter() - started, 2),
        "rows": len(daily),
    }
    del daily
    started = time.perf_counter()
    first_level = queries.daily_counts(
        since=last - timedelta(days=364), until=last, area_level="district", category_level=1
    )
    figures["daily_counts_365d_districts_x_first_level"] = {
        "seconds": round(time.perf_counter() - started, 2),
        "rows": len(first_level),
    }
    started = time.perf_counter()
    grids = queries.grid_day_counts(since=last - timedelta(days=29), until=last)
    figures["grid_day_counts_30d"] = {
        "seconds": round(time.perf_counter() - started, 2),
        "rows": len(grids),
    }
    started = time.perf_counter()
    texts = queries.appeal_texts(since=last - timedelta(days=29), until=last)
    figures["appeal_texts_30d"] = {
        "seconds": round(time.perf_counter() - started, 2),
        "rows": len(texts),
    }
    del texts
    figures["nightly_read_seconds"] = round(
        sum(
            figures[key]["seconds"]
            for key in (
                "daily_counts_365d_streets_x_categories",
                "daily_counts_365d_districts_x_first_level",
                "grid_day_counts_30d",
                "appeal_texts_30d",
            )
        ),
        2,
    )
    month = date(last.year, last.month, 1) - timedelta(days=1)
    month = month.replace(day=1)
    queries.monthly_ranking(month)  # the first read opens the files' footers
    started = time.perf_counter()
    ranking = queries.monthly_ranking(month)
    figures["monthly_ranking"] = {
        "month": f"{month:%Y-%m}",
        "seconds": round(time.perf_counter() - started, 2),
        "units": len(ranking.rows),
        "callbacks": sum(row.valid for row in ranking.rows),
    }
    figures["nightly_warning_run"] = nightly_warning_run(last)
    figures["peak_rss_gb_generating"] = round(rss_before_reads / GB, 2)
    figures["peak_rss_gb"] = round(peak_rss_bytes() / GB, 2)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--appeals", type=int, default=10_000_000)
    parser.add_argument("--export-appeals", type=int, default=200_000)
    parser.add_argument("--verbose", action="store_true", help="the exporter's progress")
    parser.add_argument("--part", choices=["export", "store"], help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part:
        setup_django(Path(args.data_dir), Path(args.store))
        part = run_export if args.part == "export" else run_store
        print(json.dumps(part(args), ensure_ascii=False))
        return
    work = Path(tempfile.mkdtemp(prefix="cityloop-analytics-bench-"))
    try:
        results = {}
        for part, store in (("export", work / "exported"), ("store", work / "synthetic")):
            done = subprocess.run(
                [sys.executable, __file__, "--part", part, "--data-dir", str(work / "data"),
                 "--store", str(store), "--appeals", str(args.appeals),
                 "--export-appeals", str(args.export_appeals)]
                + (["--verbose"] if args.verbose else []),
                check=True, capture_output=False, stdout=subprocess.PIPE, text=True,
            )  # fmt: skip
            results[part] = json.loads(done.stdout)
            print(f"== {part}", json.dumps(results[part], ensure_ascii=False, indent=1))
        summary = {
            "export_appeals_per_second": results["export"]["appeals_per_second"],
            f"export_seconds_{args.appeals}": round(
                args.appeals / results["export"]["appeals_per_second"]
            ),
            "nightly_read_seconds": results["store"]["nightly_read_seconds"],
            "nightly_warning_run_seconds (goal < 60)": results["store"]["nightly_warning_run"][
                "seconds"
            ],
            "ranking_seconds (goal < 2)": results["store"]["monthly_ranking"]["seconds"],
            "peak_rss_gb_reads (goal < 2)": results["store"]["peak_rss_gb"],
            "peak_rss_gb_export": results["export"]["peak_rss_gb"],
        }
        print("== summary", json.dumps(summary, ensure_ascii=False, indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
