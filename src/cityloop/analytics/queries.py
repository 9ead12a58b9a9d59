"""Reads over the store: DuckDB views `appeals`, `callbacks`, `events` on the Parquet files.

Each query is built once (`*_query`: its SQL text and parameters) and run by DuckDB here or,
unchanged, by Apache Spark (analytics.spark) over the same files.

Nothing here touches the transactional database, except the few rows the ranking names its
units with. The counts of citizens' demand (daily_counts, grid_day_counts, appeal_texts,
appeals_in) leave out the appeals the city opened itself (channel 主动治理): a proactive work
order is the answer to a warning, not a sign of one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple

import duckdb

from cityloop.analytics.store import store_dir
from cityloop.analytics.tables import TABLES, Table
from cityloop.appeals.enums import Channel
from cityloop.assessment.rates import STORE_ASSESSED, STORE_TALLY, Ranking, rank_units
from cityloop.kernel import clock

AREA_COLUMNS = {"district": "district_id", "street": "street_id", "grid": "grid_id"}
CATEGORY_COLUMNS = {0: "category_id", 1: "category_l1_id", 2: "category_l2_id"}
DEMAND = f"channel <> '{Channel.PROACTIVE.value}'"


class BadQuery(ValueError):
    """A level the store does not know, or a statement that is not a single SELECT."""


# Every query below is one text that DuckDB and Spark SQL (analytics.spark) both run as it
# stands: standard CAST, explicit GROUP BY, `?` parameters, double-quoted identifiers (Spark
# is told to read them so), timestamps bound as text and cast (TIMESTAMP is the naive one in
# both). What cannot be said the same way in both is here, and only here.
DIALECTS: dict[str, dict[str, str]] = {
    # the type a store table's VARCHAR column is declared as in an empty view
    "duckdb": {"VARCHAR": "VARCHAR"},
    "spark": {"VARCHAR": "STRING"},
}


class Query(NamedTuple):
    sql: str
    params: list[Any]


# runs a Query on one engine: the column names and the rows as tuples
Runner = Callable[[Query], tuple[list[str], list[tuple[Any, ...]]]]


def parquet_files(table: Table, root: Path | None = None) -> list[str]:
    """The table's files in the store, one per month, in month order."""
    return sorted(str(p) for p in ((root or store_dir()) / table.name).glob("*/part.parquet"))


def empty_select(table: Table, dialect: str) -> str:
    """A query with the table's columns and no row (the view of an empty store)."""
    types = DIALECTS[dialect]
    columns = ", ".join(
        f'CAST(NULL AS {types.get(kind, kind)}) AS "{name}"' for name, kind in table.columns
    )
    return f"SELECT {columns} WHERE false"


def connect(root: Path | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with a view per table over the store's files (an
    empty view with the table's columns when nothing has been exported yet)."""
    con = duckdb.connect()
    for table in TABLES:
        files = parquet_files(table, root)
        if files:
            listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
            source = f"SELECT * FROM read_parquet([{listed}], hive_partitioning = false)"
        else:
            source = empty_select(table, "duckdb")
        con.execute(f"CREATE VIEW {table.name} AS {source}")
    return con


def duckdb_runner(con: duckdb.DuckDBPyConnection) -> Runner:
    def run(query: Query) -> tuple[list[str], list[tuple[Any, ...]]]:
        cursor = con.execute(query.sql, query.params)
        return [column[0] for column in cursor.description], cursor.fetchall()

    return run


def _rows(query: Query) -> list[tuple[Any, ...]]:
    """The query's rows from DuckDB over the store."""
    with _store() as con:
        return duckdb_runner(con)(query)[1]


@contextlib.contextmanager
def _store() -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect()
    try:
        yield con
    finally:
        con.close()


def _area_column(level: str) -> str:
    if level not in AREA_COLUMNS:
        raise BadQuery(f"area_level must be one of {', '.join(AREA_COLUMNS)}, not {level!r}")
    return AREA_COLUMNS[level]


def _category_column(level: int) -> str:
    if level not in CATEGORY_COLUMNS:
        raise BadQuery(f"category_level must be 0, 1 or 2, not {level!r}")
    return CATEGORY_COLUMNS[level]


def daily_counts_query(
    *, since: date, until: date, area_level: str = "street", category_level: int = 0
) -> Query:
    area = _area_column(area_level)
    category = _category_column(category_level)
    return Query(
        f"SELECT {area}, {category}, received_day, CAST(count(*) AS BIGINT) FROM appeals "
        f"WHERE received_day BETWEEN ? AND ? AND {DEMAND} "
        f"AND {area} IS NOT NULL AND {category} IS NOT NULL "
        f"GROUP BY {area}, {category}, received_day ORDER BY 1, 2, 3",
        [since, until],
    )


def daily_counts(
    *, since: date, until: date, area_level: str = "street", category_level: int = 0
) -> list[tuple[int, int, date, int]]:
    """(area id, category id, local day, appeals) for every day in [since, until] with at
    least one appeal; category_level 0 is the appeal's own category, 1 its first-level one
    (2 its second-level one). Appeals without an area or category at that level are left
    out."""
    query = daily_counts_query(
        since=since, until=until, area_level=area_level, category_level=category_level
    )
    return _rows(query)  # type: ignore[return-value]


def grid_day_counts_query(*, since: date, until: date, category_id: int | None = None) -> Query:
    where, params = "", []
    if category_id is not None:  # the category or any category under it
        where, params = " AND ? IN (category_id, category_l2_id, category_l1_id)", [category_id]
    return Query(
        "SELECT grid_id, received_day, CAST(count(*) AS BIGINT) FROM appeals "
        f"WHERE received_day BETWEEN ? AND ? AND {DEMAND} AND grid_id IS NOT NULL{where} "
        "GROUP BY grid_id, received_day ORDER BY 1, 2",
        [since, until, *params],
    )


def grid_day_counts(
    *, since: date, until: date, category_id: int | None = None
) -> list[tuple[int, date, int]]:
    """(grid id, local day, appeals) for the days in [since, until], of one category (and
    the categories under it) or of all."""
    query = grid_day_counts_query(since=since, until=until, category_id=category_id)
    return _rows(query)  # type: ignore[return-value]


def appeal_texts_query(*, since: date, until: date) -> Query:
    return Query(
        "SELECT id, received_day, concat_ws(chr(10), title, content) FROM appeals "
        f"WHERE received_day BETWEEN ? AND ? AND {DEMAND} ORDER BY received_day, id",
        [since, until],
    )


def appeal_texts(*, since: date, until: date) -> list[tuple[int, date, str]]:
    """(appeal id, local day, title and content) of the days in [since, until]: the masked
    public text, personal data already taken out."""
    return _rows(appeal_texts_query(since=since, until=until))  # type: ignore[return-value]


def appeals_in_query(
    *,
    area_id: int,
    area_level: str,
    category_id: int | None,
    since: date,
    until: date,
    category_level: int = 0,
    limit: int = 200,
) -> Query:
    area = _area_column(area_level)
    params: list[Any] = [area_id, since, until]
    where = ""
    if category_id is not None:
        where = f" AND {_category_column(category_level)} = ?"
        params.append(category_id)
    return Query(
        f"SELECT id FROM appeals WHERE {area} = ? AND received_day BETWEEN ? AND ? "
        f"AND {DEMAND}{where} ORDER BY received_at DESC, id DESC LIMIT ?",
        [*params, max(0, int(limit))],
    )


def appeals_in(
    *,
    area_id: int,
    area_level: str,
    category_id: int | None,
    since: date,
    until: date,
    category_level: int = 0,
    limit: int = 200,
) -> list[int]:
    """The ids of the appeals behind a count (an alert's evidence), latest first."""
    query = appeals_in_query(
        area_id=area_id,
        area_level=area_level,
        category_id=category_id,
        since=since,
        until=until,
        category_level=category_level,
        limit=limit,
    )
    return [row[0] for row in _rows(query)]


def unit_tallies_query(month: date) -> Query:
    """Each unit's counts of the month's assessed callbacks (assessment.rates.STORE_TALLY)."""
    measures = ", ".join(f"{sql} AS {name}" for name, sql in STORE_TALLY.items())
    return Query(
        f"SELECT unit_id, {measures} FROM callbacks WHERE month = ? AND {STORE_ASSESSED} "
        "GROUP BY unit_id ORDER BY unit_id",
        [f"{month:%Y-%m}"],
    )


def unit_outcomes_query(month: date) -> Query:
    """How the appeals each main unit held ended, of those closed in the local month (as
    assessment.rates.outcomes_by_unit counts them); the bounds are naive UTC, as stored."""
    start, end = (_naive_utc(moment).isoformat(sep=" ") for moment in clock.month_bounds(month))
    return Query(
        "SELECT main_unit_id, outcome, CAST(count(*) AS BIGINT) FROM appeals "
        "WHERE closed_at >= CAST(? AS TIMESTAMP) AND closed_at < CAST(? AS TIMESTAMP) "
        "AND outcome <> '' AND main_unit_id IS NOT NULL GROUP BY main_unit_id, outcome",
        [start, end],
    )


def ranking_with(run: Runner, month: date) -> Ranking:
    """The month's ranking from the store on one engine: the counts aggregated by the
    engine, the rates and the ranking made of them by the one assessment module (rates_of,
    rank_units)."""
    month = clock.first_of_month(month)
    names, rows = run(unit_tallies_query(month))
    totals = [dict(zip(names, row, strict=True)) for row in rows]
    outcomes: dict[int, dict[str, int]] = {}
    for unit_id, outcome, n in run(unit_outcomes_query(month))[1]:
        outcomes.setdefault(unit_id, {})[outcome] = n
    return rank_units(month, totals, outcomes)


def monthly_ranking(month: date) -> Ranking:
    """The month's ranking from the store, counted by DuckDB."""
    with _store() as con:
        return ranking_with(duckdb_runner(con), month)


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def run_select(sql: str) -> tuple[list[str], Sequence[tuple[Any, ...]]]:
    """An analyst's query over the store: one SELECT statement (refused otherwise, so no
    COPY or ATTACH writes through it); returns the column names and the rows."""
    with _store() as con:
        statements = con.extract_statements(sql)
        select = duckdb.StatementType.SELECT  # type: ignore[attr-defined]  # not in the stubs
        if len(statements) != 1 or statements[0].type != select:
            raise BadQuery("only a single SELECT statement is allowed")
        try:
            cursor = con.execute(sql)
        except duckdb.Error as error:
            raise BadQuery(str(error).splitlines()[0]) from None
        return [column[0] for column in cursor.description], cursor.fetchall()
