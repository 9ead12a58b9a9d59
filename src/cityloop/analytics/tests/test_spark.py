"""Spark gives the store's answers DuckDB gives: the same query texts over the same Parquet
files of a demo city, compared row for row, and the ranking made of Spark's tallies compared
unit by unit and field by field. One Spark session for the module (it takes seconds to start).

Skipped where pyspark or Java is missing, except in CI (CITYLOOP_REQUIRE_PG=1), where it
must run."""

from __future__ import annotations

import os
from dataclasses import asdict
from datetime import date
from typing import Any

import pytest

from cityloop.analytics import queries
from cityloop.analytics.store import export_store
from cityloop.appeals.models import Appeal
from cityloop.demo.generator import generate_demo_city
from cityloop.taxonomy.models import Category

pytestmark = pytest.mark.once

END = date(2026, 3, 31)
FIRST_DAY = date(2025, 12, 1)


@pytest.fixture(scope="module")
def session() -> Any:
    from cityloop.analytics import spark

    try:
        started = spark.spark_session()
    except spark.SparkUnavailable as unavailable:
        if os.environ.get("CITYLOOP_REQUIRE_PG") == "1":
            pytest.fail(f"CI must run the Spark test: {unavailable}")
        pytest.skip(str(unavailable))
    # the first query of a new JVM takes tens of seconds (class loading, code generation):
    # paid here, once, rather than by whichever test comes first
    started.sql("SELECT id % 7 AS k, count(*) AS n FROM range(1000) GROUP BY id % 7").collect()
    yield started
    started.stop()


@pytest.fixture
def demo(db: None, settings: Any, tmp_path: Any) -> None:
    settings.CITYLOOP_ANALYTICS_DIR = str(tmp_path / "store")
    generate_demo_city(seed=7, appeals=500, days=120, streets_per_district=1, end=END)
    export_store(progress=None)


def test_spark_counts_and_ranks_as_duckdb_does(demo: None, session: Any) -> None:
    from cityloop.analytics import spark

    compared = 0
    for since, until, area_level, category_level in (
        (FIRST_DAY, END, "district", 0),
        (FIRST_DAY, END, "street", 1),
        (FIRST_DAY, END, "grid", 2),
        (END, END, "grid", 1),
    ):
        arguments = dict(
            since=since, until=until, area_level=area_level, category_level=category_level
        )
        from_duckdb = queries.daily_counts(**arguments)  # type: ignore[arg-type]
        assert from_duckdb
        assert spark.daily_counts(**arguments, session=session) == from_duckdb
        compared += len(from_duckdb)
    assert compared > 300  # real counts, not only a few rows

    leaf = Appeal.objects.exclude(category=None).exclude(grid=None).first()
    assert leaf is not None and leaf.category is not None
    top = leaf.category
    while top.parent_id is not None:
        top = Category.objects.get(pk=top.parent_id)
    for category_id in (None, leaf.category_id, top.pk):
        from_duckdb = queries.grid_day_counts(since=FIRST_DAY, until=END, category_id=category_id)
        assert from_duckdb
        assert (
            spark.grid_day_counts(
                since=FIRST_DAY, until=END, category_id=category_id, session=session
            )
            == from_duckdb
        )

    # the ranking: Spark's tallies, the rates and the order from rank_units, field by field
    units = ranked = 0
    for month in (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)):
        from_duckdb = queries.monthly_ranking(month)
        from_spark = spark.monthly_ranking(month, session=session)
        assert [asdict(row) for row in from_spark.rows] == [asdict(row) for row in from_duckdb.rows]
        assert from_spark.minimum == from_duckdb.minimum
        units += len(from_duckdb.rows)
        ranked += len(from_duckdb.ranked)
    assert units > 10 and ranked >= 1
    tallies = spark.unit_tallies(date(2026, 2, 1), session=session)
    assert sum(row["valid"] for row in tallies) == sum(
        row.valid for row in queries.monthly_ranking(date(2026, 2, 1)).rows
    )


def test_an_analysts_select_runs_on_both_and_writes_refused(demo: None, session: Any) -> None:
    from cityloop.analytics import spark

    for sql in (
        'SELECT month, count(*) AS n, max("at") AS latest FROM callbacks GROUP BY month '
        "ORDER BY month",
        "SELECT channel, CAST(count(*) AS BIGINT) AS n FROM appeals "
        "WHERE received_day >= DATE '2026-02-01' GROUP BY channel ORDER BY n DESC, channel",
        "SELECT e.action, count(*) AS n FROM events e JOIN appeals a ON a.id = e.appeal_id "
        "WHERE a.month = '2026-03' GROUP BY e.action ORDER BY e.action",
    ):
        names, rows = queries.run_select(sql)
        assert rows
        assert spark.run_select(sql, session=session) == (names, rows)
    for refused in (
        "INSERT OVERWRITE DIRECTORY '/tmp/leak' SELECT * FROM appeals",
        "CACHE TABLE leak AS SELECT * FROM appeals",
        "SELECT 1; SELECT 2",
        "SELECT no_such_column FROM appeals",
    ):
        with pytest.raises(queries.BadQuery):
            spark.run_select(refused, session=session)


def test_an_empty_store_is_empty_on_spark(
    db: None, session: Any, settings: Any, tmp_path: Any
) -> None:
    from cityloop.analytics import spark

    settings.CITYLOOP_ANALYTICS_DIR = str(tmp_path / "empty")
    assert spark.daily_counts(since=FIRST_DAY, until=END, session=session) == []
    assert spark.monthly_ranking(date(2026, 1, 1), session=session).rows == []
    assert spark.run_select("SELECT count(*) AS n FROM events", session=session) == (["n"], [(0,)])


def test_without_pyspark_the_command_says_what_to_install(
    db: None, monkeypatch: Any, capsys: Any
) -> None:
    import sys

    from cityloop.cli import main

    monkeypatch.setitem(sys.modules, "pyspark.sql", None)  # as if pyspark were not installed
    with pytest.raises(SystemExit) as stopped:
        main(["analytics", "query", "--engine", "spark", "SELECT count(*) FROM appeals"])
    assert stopped.value.code == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("cityloop analytics: pyspark is not installed")
    assert "cityloop[spark]" in error and "\n" not in error
