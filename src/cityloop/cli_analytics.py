"""`cityloop analytics …`: the Parquet store of the appeal history.

cityloop analytics export [--full]   bring the store up to date (progress on stderr)
cityloop analytics query "SQL"       one read-only SELECT over the store, as CSV
    [--engine spark]                 run it on Apache Spark (local mode) instead of DuckDB
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from typing import Any, NoReturn


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityloop.settings")
    import django

    django.setup()


def _refuse(message: str) -> NoReturn:
    """Bad input: one line on standard error, exit status 2, no traceback."""
    print(f"cityloop analytics: {message}", file=sys.stderr)
    sys.exit(2)


def export(args: argparse.Namespace) -> None:
    _django()
    from django.db import DatabaseError

    from cityloop.analytics.store import ExportRunning, export_store

    try:
        summary = export_store(full=args.full)
    except ExportRunning as running:
        _refuse(f"another export is running on {running}")
    except DatabaseError as error:
        _refuse(f"cannot read the database ({error}); run `cityloop seed` first")
    print(json.dumps(summary.as_dict(), ensure_ascii=False))


def query(args: argparse.Namespace) -> None:
    _django()
    from cityloop.analytics import queries

    try:
        if args.engine == "spark":
            columns, rows = _spark_select(args.sql)
        else:
            columns, rows = queries.run_select(args.sql)
    except queries.BadQuery as bad:
        _refuse(str(bad))
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(columns)
    out.writerows(rows)


def _spark_select(sql: str) -> tuple[list[str], Any]:
    from cityloop.analytics import spark

    try:
        session = spark.spark_session()
    except spark.SparkUnavailable as unavailable:
        _refuse(str(unavailable))
    try:
        return spark.run_select(sql, session=session)
    finally:
        session.stop()


def add_commands(sub: Any) -> None:
    """The `analytics` group under the main parser; each command sets its own `func`."""
    analytics = sub.add_parser(
        "analytics", help="the analytics store: the appeal history as Parquet, read by DuckDB"
    )
    commands = analytics.add_subparsers(dest="analytics_command", required=True)
    export_parser = commands.add_parser(
        "export", help="export the months that changed since the last run (resumable)"
    )
    export_parser.add_argument(
        "--full", action="store_true", help="export every month again, whatever changed"
    )
    export_parser.set_defaults(func=export)
    query_parser = commands.add_parser(
        "query",
        help="run one SELECT over the views appeals, callbacks, events; print CSV",
    )
    query_parser.add_argument("sql", help='e.g. "SELECT month, count(*) FROM appeals GROUP BY 1"')
    query_parser.add_argument(
        "--engine",
        choices=("duckdb", "spark"),
        default="duckdb",
        help="duckdb (in the process, the default) or spark (local mode; needs pyspark and Java)",
    )
    query_parser.set_defaults(func=query)
