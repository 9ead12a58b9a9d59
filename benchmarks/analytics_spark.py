"""The store's queries on DuckDB and on Apache Spark (local[2]), the same texts over the same
Parquet files: what each engine takes on one machine, to say in docs/scaling.md where DuckDB
is enough and where Spark (on a cluster) takes over.

The store is generated as benchmarks/analytics_store.py generates it (synthetic appeals and
callbacks on a demo city's geography and taxonomy, three years with a weekly and seasonal
rhythm), then each query runs on DuckDB and on Spark, once to warm up (file footers, the
JVM's compiler) and then timed; each answer is checked equal on both engines. Spark's startup
is timed apart. Everything lives in a temporary directory, removed at the end.

    PYTHONPATH=src python benchmarks/analytics_spark.py [--appeals N] [--driver-memory 2g]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from analytics_store import (  # the sibling benchmark's generator
    DAYS,
    FIRST_DAY,
    GB,
    generate_store,
    leaf_categories,
    peak_rss_bytes,
    record_places,
    say,
    setup_django,
)


def build_city() -> list[int]:
    """The demo city's geography, taxonomy and units (few appeals: the store is synthetic)."""
    from django.core.management import call_command

    from cityloop.demo.generator import generate_demo_city
    from cityloop.org.models import Unit

    call_command("migrate", interactive=False, verbosity=0)
    generate_demo_city(seed=7, appeals=50, days=10, end=date(2026, 10, 31))
    return list(Unit.objects.order_by("pk").values_list("pk", flat=True)[:300])


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    run()  # warm: the files' footers, the JIT
    started = time.perf_counter()
    answer = run()
    return time.perf_counter() - started, answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--appeals", type=int, default=2_000_000)
    parser.add_argument("--driver-memory", default="2g")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cityloop-spark-bench-"))
    try:
        store = work / "store"
        setup_django(work / "data", store)
        from dataclasses import asdict

        from cityloop.analytics import queries, spark

        say("city: building the demo geography…")
        unit_ids = build_city()
        started = time.perf_counter()
        counts = generate_store(store, args.appeals, unit_ids, record_places(), leaf_categories())
        figures: dict[str, Any] = {
            "store": counts,
            "store_gb": round(sum(p.stat().st_size for p in store.rglob("*.parquet")) / GB, 3),
            "generate_seconds": round(time.perf_counter() - started, 1),
        }
        started = time.perf_counter()
        session = spark.spark_session(driver_memory=args.driver_memory)
        figures["spark_startup_seconds"] = round(time.perf_counter() - started, 1)

        last = FIRST_DAY + timedelta(days=DAYS - 1)
        year = {"since": last - timedelta(days=364), "until": last}
        month = (last.replace(day=1) - timedelta(days=1)).replace(day=1)
        by_month = "SELECT month, count(*) AS n FROM appeals GROUP BY month ORDER BY month"

        def ranking_rows(ranking: Any) -> list[dict[str, Any]]:
            return [asdict(row) for row in ranking.rows]

        reads: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
            "daily_counts_365d_streets_x_categories": (
                lambda: queries.daily_counts(**year),
                lambda: spark.daily_counts(**year, session=session),
            ),
            "daily_counts_365d_districts_x_first_level": (
                lambda: queries.daily_counts(**year, area_level="district", category_level=1),
                lambda: spark.daily_counts(
                    **year, area_level="district", category_level=1, session=session
                ),
            ),
            "grid_day_counts_30d": (
                lambda: queries.grid_day_counts(since=last - timedelta(days=29), until=last),
                lambda: spark.grid_day_counts(
                    since=last - timedelta(days=29), until=last, session=session
                ),
            ),
            "monthly_ranking": (
                lambda: ranking_rows(queries.monthly_ranking(month)),
                lambda: ranking_rows(spark.monthly_ranking(month, session=session)),
            ),
            "select_appeals_by_month": (
                lambda: queries.run_select(by_month),
                lambda: spark.run_select(by_month, session=session),
            ),
        }
        # Spark's time without handing the rows to Python (py4j pickles them one by one): the
        # query run to its end into the `noop` sink, as a cluster job writing its answer would
        computed = {
            "daily_counts_365d_streets_x_categories": queries.daily_counts_query(**year),
            "daily_counts_365d_districts_x_first_level": queries.daily_counts_query(
                **year, area_level="district", category_level=1
            ),
            "grid_day_counts_30d": queries.grid_day_counts_query(
                since=last - timedelta(days=29), until=last
            ),
        }

        def compute_only(query: queries.Query) -> None:
            frame = spark.connect(session).sql(query.sql, args=list(query.params))
            frame.write.format("noop").mode("overwrite").save()

        for name, (on_duckdb, on_spark) in reads.items():
            duckdb_seconds, duckdb_answer = timed(on_duckdb)
            spark_seconds, spark_answer = timed(on_spark)
            if spark_answer != duckdb_answer:
                raise SystemExit(f"{name}: Spark's answer differs from DuckDB's")
            rows = duckdb_answer[1] if name.startswith("select") else duckdb_answer
            figures[name] = {
                "rows": len(rows),
                "duckdb_seconds": round(duckdb_seconds, 2),
                "spark_local2_seconds": round(spark_seconds, 2),
            }
            if name in computed:
                compute_seconds, _ = timed(lambda query=computed[name]: compute_only(query))
                figures[name]["spark_local2_compute_only_seconds"] = round(compute_seconds, 2)
            say(f"read: {name} {figures[name]}")
        session.stop()
        figures["python_peak_rss_gb"] = round(peak_rss_bytes() / GB, 2)
        print(json.dumps(figures, ensure_ascii=False, indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
