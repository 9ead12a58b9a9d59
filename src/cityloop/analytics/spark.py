"""The store's queries on Apache Spark, for when one machine's DuckDB is no longer enough.

The same Parquet files, registered as the same views (`appeals`, `callbacks`, `events`) as
analytics.queries.connect does for DuckDB, and the same query texts (queries.*_query): Spark
only runs them, so both engines give the same answers by construction, and a test checks it.
The ranking's rates and order still come from assessment.rates (rank_units), as with DuckDB.

Here Spark runs in local mode (`local[2]`, the machine's two cores; no UI, bound to the
loopback address, no network); on a cluster the same functions run on a session built for it
(pass `session=`). pyspark is optional (`pip install 'cityloop[spark]'`, and a Java 17
runtime): importing this module needs neither, and a missing one is a clear SparkUnavailable.
"""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings

from cityloop.analytics.queries import (
    DIALECTS,
    BadQuery,
    Query,
    Runner,
    daily_counts_query,
    empty_select,
    grid_day_counts_query,
    parquet_files,
    ranking_with,
    unit_tallies_query,
)
from cityloop.analytics.tables import TABLES, Table
from cityloop.assessment.rates import Ranking
from cityloop.kernel import clock

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

MASTER = "local[2]"
DRIVER_MEMORY = "1g"
INSTALL_HINT = "pip install 'cityloop[spark]' and a Java 17 runtime (openjdk-17-jre-headless)"

# the session's settings that make Spark SQL read the store's query texts as DuckDB does
SQL_SETTINGS = {
    # TIMESTAMP is the naive (local-free) type, as the store's instants are naive UTC
    "spark.sql.timestampType": "TIMESTAMP_NTZ",
    # "at" is a column, not a string (standard SQL; needs ANSI mode, Spark 4's default)
    "spark.sql.ansi.enabled": "true",
    "spark.sql.ansi.doubleQuotedIdentifiers": "true",
}


class SparkUnavailable(RuntimeError):
    """pyspark is not installed, no Java runtime is found, or Spark did not start."""


def spark_session(master: str = MASTER, driver_memory: str = DRIVER_MEMORY) -> SparkSession:
    """The process's Spark session (started once, reused after: startup takes seconds)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailable(f"pyspark is not installed: {INSTALL_HINT}") from None
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        raise SparkUnavailable(f"no Java runtime (java) found: {INSTALL_HINT}")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # never an outward interface
    builder = (
        SparkSession.builder.master(master)
        .appName("cityloop-analytics")
        .config("spark.driver.memory", driver_memory)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.catalogImplementation", "in-memory")
        # a small machine: few shuffle partitions (the default 200 is for clusters)
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", settings.TIME_ZONE)
    )
    for key, value in SQL_SETTINGS.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as error:  # the JVM did not start: say why in one line
        message = str(error).strip().splitlines()
        raise SparkUnavailable(f"Spark did not start: {message[0] if message else error}") from None
    session.sparkContext.setLogLevel("ERROR")
    return session


def connect(session: SparkSession, root: Path | None = None) -> SparkSession:
    """Registers a view per table over the store's files, as queries.connect does for
    DuckDB (an empty view with the table's columns when nothing has been exported yet).
    The files are read with the table's own schema, so registering them starts no job."""
    for table in TABLES:
        files = parquet_files(table, root)
        frame = (
            session.read.schema(_schema(table)).parquet(*files)
            if files
            else session.sql(empty_select(table, "spark"))
        )
        frame.createOrReplaceTempView(table.name)
    return session


def _schema(table: Table) -> str:
    types = DIALECTS["spark"]
    return ", ".join(f"`{name}` {types.get(kind, kind)}" for name, kind in table.columns)


def spark_runner(session: SparkSession) -> Runner:
    def run(query: Query) -> tuple[list[str], list[tuple[Any, ...]]]:
        frame = session.sql(query.sql, args=list(query.params))
        return list(frame.columns), [tuple(row) for row in frame.collect()]

    return run


def _store(session: SparkSession | None) -> SparkSession:
    """The session with the store's views, registered again for each read (like DuckDB's
    connection per read), so that a read sees the months exported since the last one."""
    return connect(session or spark_session())


def daily_counts(
    *,
    since: date,
    until: date,
    area_level: str = "street",
    category_level: int = 0,
    session: SparkSession | None = None,
) -> list[tuple[int, int, date, int]]:
    """queries.daily_counts, counted by Spark."""
    query = daily_counts_query(
        since=since, until=until, area_level=area_level, category_level=category_level
    )
    return spark_runner(_store(session))(query)[1]  # type: ignore[return-value]


def grid_day_counts(
    *,
    since: date,
    until: date,
    category_id: int | None = None,
    session: SparkSession | None = None,
) -> list[tuple[int, date, int]]:
    """queries.grid_day_counts, counted by Spark."""
    query = grid_day_counts_query(since=since, until=until, category_id=category_id)
    return spark_runner(_store(session))(query)[1]  # type: ignore[return-value]


def unit_tallies(month: date, *, session: SparkSession | None = None) -> list[dict[str, Any]]:
    """Each unit's counts of the month's assessed callbacks, counted by Spark."""
    names, rows = spark_runner(_store(session))(unit_tallies_query(clock.first_of_month(month)))
    return [dict(zip(names, row, strict=True)) for row in rows]


def monthly_ranking(month: date, *, session: SparkSession | None = None) -> Ranking:
    """queries.monthly_ranking with the counts from Spark, the rates from rank_units."""
    return ranking_with(spark_runner(_store(session)), month)


def run_select(
    sql: str, *, session: SparkSession | None = None
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """queries.run_select on Spark: one query (Spark's own parser must read the whole text
    as a single query, so no command, INSERT or CACHE runs through it)."""
    session = _store(session)  # SparkUnavailable first when pyspark is missing
    from py4j.protocol import Py4JJavaError
    from pyspark.errors import PySparkException

    try:
        session._jsparkSession.sessionState().sqlParser().parseQuery(sql)
    except (PySparkException, Py4JJavaError):
        raise BadQuery("only a single SELECT statement is allowed") from None
    try:
        return spark_runner(session)(Query(sql, []))
    except (PySparkException, Py4JJavaError) as error:
        lines = str(error).strip().splitlines()
        raise BadQuery(lines[0] if lines else type(error).__name__) from None
