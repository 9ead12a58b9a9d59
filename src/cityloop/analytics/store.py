"""The export: the record, month by month, into Parquet files under the store's directory.

    <store>/manifest.json
    <store>/appeals/month=2026-11/part.parquet
    <store>/callbacks/appeal_month=2026-11/part.parquet
    <store>/events/appeal_month=2026-11/part.parquet

A month is the local month an appeal was received in; its callbacks and events go with it.
Each file is written under a temporary name and renamed into place, so a reader (or a run
killed half-way) only ever sees whole files. The manifest records, for every month exported,
the watermark it was exported at: the number of appeals, the sum of their versions (every
change to an appeal, its callbacks, exclusion or events goes through appeals.services.core
.apply, which bumps the version) and the largest id. The next run re-exports only the months
whose watermark moved, and a month a killed run left unfinished is not in the manifest at its
new watermark, so it is written again, whole: nothing is counted twice.

Reads are chunked (a server-side cursor on PostgreSQL) and staged in DuckDB, which spills to
disk past its memory limit: the export runs in constant memory whatever the record's size.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from django.conf import settings
from django.db.models import Count, Max, Min, Sum

from cityloop.analytics.rows import CHUNK_ROWS, appeal_rows, callback_rows, event_rows
from cityloop.analytics.tables import APPEALS, CALLBACKS, EVENTS, TABLES, Table
from cityloop.appeals.models import Appeal
from cityloop.kernel import clock

# bumped when a table's columns change: a store of another format is exported again, whole
STORE_FORMAT = 1
DUCKDB_MEMORY_LIMIT = "512MB"
MANIFEST = "manifest.json"
# test seam: seconds to wait after each file is renamed into place (to be killed there)
PAUSE_ENV = "CITYLOOP_ANALYTICS_PAUSE_SECONDS"

Progress = Callable[[str], None]


def stderr_progress(line: str) -> None:
    print(f"analytics: {line}", file=sys.stderr, flush=True)


def store_dir() -> Path:
    """Where the store lives: settings.CITYLOOP_ANALYTICS_DIR, else <data dir>/analytics."""
    configured = getattr(settings, "CITYLOOP_ANALYTICS_DIR", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "analytics"


def month_key(month: date) -> str:
    return f"{month:%Y-%m}"


def partition_path(root: Path, table: Table, month: str) -> Path:
    return root / table.name / f"{table.partition_key}={month}" / "part.parquet"


@dataclass(frozen=True)
class Watermark:
    """What the record's appeals of one month look like: changed if any of them changed."""

    appeals: int
    version_sum: int
    max_id: int


@dataclass
class Manifest:
    format: int = STORE_FORMAT
    # month → {"watermark": {...}, "rows": {table: n}, "exported_at": iso}
    months: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path) -> Manifest:
        try:
            data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        return cls(format=int(data.get("format", 0)), months=dict(data.get("months", {})))

    def save(self, root: Path) -> None:
        _write_atomically(
            root / MANIFEST,
            json.dumps(asdict(self), ensure_ascii=False, indent=1, sort_keys=True).encode(),
        )

    def watermark(self, month: str) -> Watermark | None:
        entry = self.months.get(month)
        return Watermark(**entry["watermark"]) if entry else None


@dataclass(frozen=True)
class ExportSummary:
    months_in_record: int
    months_exported: list[str]
    months_removed: list[str]
    rows: dict[str, int]
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class ExportRunning(Exception):
    """Another export holds the store (the nightly job and a command at once)."""


def export_store(
    *, full: bool = False, progress: Progress | None = stderr_progress
) -> ExportSummary:
    """Bring the store up to date with the record: export the months whose watermark moved
    (every month with `full`), remove the months no appeal is left in."""
    say = progress or (lambda line: None)
    started = time.monotonic()
    root = store_dir()
    root.mkdir(parents=True, exist_ok=True)
    with _exclusive(root):
        manifest = Manifest.load(root)
        if full or manifest.format != STORE_FORMAT:
            manifest = Manifest()
        _remove_leftovers(root)
        current = record_watermarks()
        stale = [m for m, mark in current.items() if manifest.watermark(m) != mark]
        # what is on disk, not only what the manifest lists: a full run that was killed
        # left the months it had not reached out of the manifest
        gone = sorted((_months_on_disk(root) | set(manifest.months)) - set(current))
        for month in gone:
            for table in TABLES:
                partition_path(root, table, month).unlink(missing_ok=True)
            manifest.months.pop(month, None)
            manifest.save(root)
            say(f"{month}: no appeal left, removed")
        if not stale:
            say(f"up to date ({len(current)} months)")
        totals = dict.fromkeys((t.name for t in TABLES), 0)
        with _staging(root) as con:
            for position, month in enumerate(stale, start=1):
                mark, rows = _export_month(con, root, month, say)
                manifest.months[month] = {
                    "watermark": asdict(mark),
                    "rows": rows,
                    "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
                }
                manifest.save(root)
                for name, n in rows.items():
                    totals[name] += n
                say(f"{month}: done ({position}/{len(stale)} months to export)")
        manifest.save(root)
        return ExportSummary(
            months_in_record=len(current),
            months_exported=stale,
            months_removed=gone,
            rows=totals,
            seconds=round(time.monotonic() - started, 2),
        )


def record_watermarks() -> dict[str, Watermark]:
    """The watermark of every local month the record has appeals in (one indexed aggregate
    per month, over received_at)."""
    span = Appeal.objects.aggregate(first=Min("received_at"), last=Max("received_at"))
    if span["first"] is None:
        return {}
    month = clock.first_of_month(clock.local_date(span["first"]))
    last = clock.first_of_month(clock.local_date(span["last"]))
    found: dict[str, Watermark] = {}
    while month <= last:
        mark = _month_watermark(month)
        if mark.appeals:
            found[month_key(month)] = mark
        month = clock.add_months(month, 1)
    return found


def _month_watermark(month: date) -> Watermark:
    start, end = clock.month_bounds(month)
    found = Appeal.objects.filter(received_at__gte=start, received_at__lt=end).aggregate(
        appeals=Count("id"), version_sum=Sum("version"), max_id=Max("id")
    )
    return Watermark(
        appeals=found["appeals"], version_sum=found["version_sum"] or 0, max_id=found["max_id"] or 0
    )


def _export_month(
    con: duckdb.DuckDBPyConnection, root: Path, month: str, say: Progress
) -> tuple[Watermark, dict[str, int]]:
    first = date.fromisoformat(f"{month}-01")
    start, end = clock.month_bounds(first)
    # No transaction: on SQLite every transaction here takes the write lock (BEGIN
    # IMMEDIATE), and a reader must not hold up the loop's writers. The watermark is taken
    # first, so a change landing during the reads only makes the next run export the month
    # again.
    mark = _month_watermark(first)
    in_month = {"received_at__gte": start, "received_at__lt": end}
    rows = {
        APPEALS.name: _write(con, root, APPEALS, month, appeal_rows(in_month, month)),
        CALLBACKS.name: _write(con, root, CALLBACKS, month, callback_rows(in_month, month)),
        EVENTS.name: _write(con, root, EVENTS, month, event_rows(in_month, month)),
    }
    say(f"{month}: " + ", ".join(f"{n} {name}" for name, n in rows.items()))
    return mark, rows


def _write(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    table: Table,
    month: str,
    rows: Iterable[Sequence[Any]],
) -> int:
    """Stage the rows in DuckDB chunk by chunk, then write the month's file atomically."""
    con.execute(table.ddl("staged"))
    names = table.column_names
    count = 0
    for chunk in _chunks(rows, CHUNK_ROWS):
        frame = pd.DataFrame.from_records(chunk, columns=names)
        con.register("chunk", frame)
        con.execute(f"INSERT INTO staged SELECT {table.select_list} FROM chunk")
        con.unregister("chunk")
        count += len(chunk)
    target = partition_path(root, table, month)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    con.execute(
        f"COPY (SELECT * FROM staged ORDER BY id) TO '{_sql_path(temporary)}' "
        "(FORMAT parquet, COMPRESSION zstd)"
    )
    _fsync(temporary)
    os.replace(temporary, target)
    con.execute("DROP TABLE staged")
    pause = float(os.environ.get(PAUSE_ENV, "0") or 0)
    if pause:
        stderr_progress(f"{month}: wrote {table.name}")
        time.sleep(pause)
    return count


def _chunks(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    chunk: list[Sequence[Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


@contextlib.contextmanager
def _staging(root: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    spill = root / ".spill"
    spill.mkdir(exist_ok=True)
    con = duckdb.connect()
    try:
        con.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
        con.execute(f"SET temp_directory = '{_sql_path(spill)}'")
        con.execute("SET preserve_insertion_order = false")
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def _exclusive(root: Path) -> Iterator[None]:
    """One export at a time on a store; a second one is refused, not queued."""
    with open(root / ".lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ExportRunning(str(root)) from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _months_on_disk(root: Path) -> set[str]:
    return {
        folder.name.split("=", 1)[1]
        for table in TABLES
        for folder in (root / table.name).glob(f"{table.partition_key}=*")
        if (folder / "part.parquet").exists()
    }


def _remove_leftovers(root: Path) -> None:
    """The temporary files of a run that was killed before it renamed them."""
    for table in TABLES:
        for leftover in (root / table.name).glob("*/.*.tmp"):
            leftover.unlink(missing_ok=True)
    for leftover in root.glob(f".{MANIFEST}.*.tmp"):
        leftover.unlink(missing_ok=True)


def _write_atomically(target: Path, data: bytes) -> None:
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, target)


def _fsync(path: Path) -> None:
    with open(path, "rb") as written:
        os.fsync(written.fileno())
