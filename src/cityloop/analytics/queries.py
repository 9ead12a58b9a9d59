"""Reads over the store: DuckDB views `appeals`, `callbacks`, `events` on the Parquet files.

Nothing here touches the transactional database, except the few rows the ranking names its
units with. The counts of citizens' demand (daily_counts, grid_day_counts, appeal_texts,
appeals_in) leave out the appeals the city opened itself (channel 主动治理): a proactive work
order is the answer to a warning, not a sign of one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from cityloop.analytics.store import store_dir
from cityloop.analytics.tables import TABLES
from cityloop.appeals.enums import Channel
from cityloop.assessment.rates import STORE_ASSESSED, STORE_TALLY, Ranking, rank_units
from cityloop.kernel import clock

AREA_COLUMNS = {"district": "district_id", "street": "street_id", "grid": "grid_id"}
CATEGORY_COLUMNS = {0: "category_id", 1: "category_l1_id", 2: "category_l2_id"}
DEMAND = f"channel <> '{Channel.PROACTIVE.value}'"


class BadQuery(ValueError):
    """A level the store does not know, or a statement that is not a single SELECT."""


def connect(root: Path | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with a view per table over the store's files (an
    empty view with the table's columns when nothing has been exported yet)."""
    root = root or store_dir()
    con = duckdb.connect()
    for table in TABLES:
        files = sorted(str(p) for p in (root / table.name).glob("*/part.parquet"))
        if files:
            listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
            source = f"SELECT * FROM read_parquet([{listed}], hive_partitioning = false)"
        else:
            source = table.empty_select()
        con.execute(f"CREATE VIEW {table.name} AS {source}")
    return con


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


def daily_counts(
    *, since: date, until: date, area_level: str = "street", category_level: int = 0
) -> list[tuple[int, int, date, int]]:
    """(area id, category id, local day, appeals) for every day in [since, until] with at
    least one appeal; category_level 0 is the appeal's own category, 1 its first-level one
    (2 its second-level one). Appeals without an area or category at that level are left
    out."""
    area = _area_column(area_level)
    category = _category_column(category_level)
    with _store() as con:
        return con.execute(
            f"SELECT {area}, {category}, received_day, count(*)::BIGINT FROM appeals "
            f"WHERE received_day BETWEEN ? AND ? AND {DEMAND} "
            f"AND {area} IS NOT NULL AND {category} IS NOT NULL "
            "GROUP BY ALL ORDER BY 1, 2, 3",
            [since, until],
        ).fetchall()


def _category_filter(category_id: int | None) -> tuple[str, list[Any]]:
    """Appeals of a category or of any category under it."""
    if category_id is None:
        return "", []
    return " AND ? IN (category_id, category_l2_id, category_l1_id)", [category_id]


def grid_day_counts(
    *, since: date, until: date, category_id: int | None = None
) -> list[tuple[int, date, int]]:
    """(grid id, local day, appeals) for the days in [since, until], of one category (and
    the categories under it) or of all."""
    where, params = _category_filter(category_id)
    with _store() as con:
        return con.execute(
            "SELECT grid_id, received_day, count(*)::BIGINT FROM appeals "
            f"WHERE received_day BETWEEN ? AND ? AND {DEMAND} AND grid_id IS NOT NULL{where} "
            "GROUP BY ALL ORDER BY 1, 2",
            [since, until, *params],
        ).fetchall()


def appeal_texts(*, since: date, until: date) -> list[tuple[int, date, str]]:
    """(appeal id, local day, title and content) of the days in [since, until]: the masked
    public text, personal data already taken out."""
    with _store() as con:
        return con.execute(
            "SELECT id, received_day, concat_ws(chr(10), title, content) FROM appeals "
            f"WHERE received_day BETWEEN ? AND ? AND {DEMAND} ORDER BY received_day, id",
            [since, until],
        ).fetchall()


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
    area = _area_column(area_level)
    params: list[Any] = [area_id, since, until]
    where = ""
    if category_id is not None:
        where = f" AND {_category_column(category_level)} = ?"
        params.append(category_id)
    with _store() as con:
        rows = con.execute(
            f"SELECT id FROM appeals WHERE {area} = ? AND received_day BETWEEN ? AND ? "
            f"AND {DEMAND}{where} ORDER BY received_at DESC, id DESC LIMIT ?",
            [*params, max(0, int(limit))],
        ).fetchall()
    return [row[0] for row in rows]


def unit_tallies(con: duckdb.DuckDBPyConnection, month: date) -> list[dict[str, Any]]:
    """Each unit's counts of the month's assessed callbacks (assessment.rates.STORE_TALLY)."""
    measures = ", ".join(f"{sql} AS {name}" for name, sql in STORE_TALLY.items())
    cursor = con.execute(
        f"SELECT unit_id, {measures} FROM callbacks WHERE month = ? AND {STORE_ASSESSED} "
        "GROUP BY unit_id ORDER BY unit_id",
        [f"{month:%Y-%m}"],
    )
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def unit_outcomes(con: duckdb.DuckDBPyConnection, month: date) -> dict[int, dict[str, int]]:
    """How the appeals each main unit held ended, of those closed in the local month
    (as assessment.rates.outcomes_by_unit counts them)."""
    start, end = (_naive_utc(moment) for moment in clock.month_bounds(month))
    found: dict[int, dict[str, int]] = {}
    for unit_id, outcome, n in con.execute(
        "SELECT main_unit_id, outcome, count(*)::BIGINT FROM appeals "
        "WHERE closed_at >= ? AND closed_at < ? AND outcome <> '' AND main_unit_id IS NOT NULL "
        "GROUP BY ALL",
        [start, end],
    ).fetchall():
        found.setdefault(unit_id, {})[outcome] = n
    return found


def monthly_ranking(month: date) -> Ranking:
    """The month's ranking from the store: the counts aggregated by DuckDB, the rates and
    the ranking made of them by the one assessment module (rates_of, rank_units)."""
    month = clock.first_of_month(month)
    with _store() as con:
        totals = unit_tallies(con, month)
        outcomes = unit_outcomes(con, month)
    return rank_units(month, totals, outcomes)


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
