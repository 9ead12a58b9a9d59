"""`cityloop warning scan FILE.csv`: space-time clusters in any `cell,x,y,date,count` file.

Needs no database: the file is the whole input, the clusters go to standard output as CSV.
"""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import date

import numpy as np

from cityloop.warning.scan import (
    DEFAULT_MAX_CLUSTERS,
    DEFAULT_MAX_DAYS,
    DEFAULT_MAX_SHARE,
    DEFAULT_REPLICATIONS,
    Cluster,
    scan,
)

COLUMNS = ("cell", "x", "y", "date", "count")
OUTPUT_COLUMNS = ("cells", "start", "end", "observed", "expected", "p_value")


class BadInput(ValueError):
    """The file or an option cannot be scanned; the message says why, in one line."""


def read_cases(path: str) -> tuple[list[str], np.ndarray, date, np.ndarray]:
    """Cells, their coordinates, the first day and the cells × days counts of the file."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if tuple(name.strip() for name in reader.fieldnames or ()) != COLUMNS:
                raise BadInput(f"{path}: the header must be {','.join(COLUMNS)}")
            rows = [_row(path, number, row) for number, row in enumerate(reader, start=2)]
    except OSError as error:
        raise BadInput(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise BadInput(f"{path} is not UTF-8 text") from None
    if not rows:
        raise BadInput(f"{path} has no rows")
    places: dict[str, tuple[float, float]] = {}
    for number, (cell, x, y, _day, _count) in enumerate(rows, start=2):
        if places.setdefault(cell, (x, y)) != (x, y):
            raise BadInput(f"{path} line {number}: cell {cell} moved from {places[cell]}")
    cells = list(places)
    first = min(row[3] for row in rows)
    days = (max(row[3] for row in rows) - first).days + 1
    counts = np.zeros((len(cells), days), dtype=np.int64)
    index = {cell: i for i, cell in enumerate(cells)}
    for cell, _x, _y, day, count in rows:
        counts[index[cell], (day - first).days] += count
    return cells, np.array([places[c] for c in cells]), first, counts


def _row(path: str, number: int, row: dict[str, str]) -> tuple[str, float, float, date, int]:
    where = f"{path} line {number}"
    if None in row or any(row.get(c) is None for c in COLUMNS):
        raise BadInput(f"{where}: expected {len(COLUMNS)} fields")
    cell = row["cell"].strip()
    if not cell:
        raise BadInput(f"{where}: the cell is empty")
    try:
        x, y = float(row["x"]), float(row["y"])
    except ValueError:
        raise BadInput(f"{where}: x and y must be numbers") from None
    if not (np.isfinite(x) and np.isfinite(y)):
        raise BadInput(f"{where}: x and y must be finite numbers")
    try:
        day = date.fromisoformat(row["date"].strip())
    except ValueError:
        raise BadInput(f"{where}: the date must be YYYY-MM-DD, not {row['date']!r}") from None
    try:
        count = int(row["count"])
    except ValueError:
        raise BadInput(f"{where}: the count must be a whole number") from None
    if count < 0:
        raise BadInput(f"{where}: the count must not be negative")
    return cell, x, y, day, count


def as_csv_rows(clusters: list[Cluster]) -> list[list[str]]:
    return [
        [
            ";".join(c.cells),
            c.start.isoformat(),
            c.end.isoformat(),
            str(c.observed),
            f"{c.expected:.3f}",
            f"{c.p_value:.4g}",
        ]
        for c in clusters
    ]


def run(args: argparse.Namespace) -> None:
    try:
        if args.replications < 0 or args.max_days < 1 or not 0 < args.max_share <= 1:
            raise BadInput("--replications ≥ 0, --max-days ≥ 1 and 0 < --max-share ≤ 1")
        if args.max_radius is not None and args.max_radius < 0:
            raise BadInput("--max-radius must not be negative")
        cells, coords, first, counts = read_cases(args.file)
        if counts.sum() == 0:
            raise BadInput(f"{args.file}: every count is 0, nothing to scan")
        clusters = scan(
            cells,
            coords,
            first,
            counts,
            replications=args.replications,
            max_days=args.max_days,
            max_share=args.max_share,
            max_radius=args.max_radius,
            prospective=args.prospective,
            max_clusters=args.max_clusters,
            seed=args.seed,
        )
    except BadInput as error:
        print(f"cityloop warning scan: {error}", file=sys.stderr)
        sys.exit(2)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(OUTPUT_COLUMNS)
    writer.writerows(as_csv_rows(clusters))


def add_scan_command(actions: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    command = actions.add_parser(
        "scan",
        help="space-time clusters (Kulldorff's permutation scan) in a cell,x,y,date,count CSV",
    )
    command.add_argument("file", help="CSV with header cell,x,y,date,count")
    command.add_argument("--replications", type=int, default=DEFAULT_REPLICATIONS)
    command.add_argument(
        "--max-days", type=int, default=DEFAULT_MAX_DAYS, help="longest window in days"
    )
    command.add_argument(
        "--max-share",
        type=float,
        default=DEFAULT_MAX_SHARE,
        help="largest cluster as a share of all cells",
    )
    command.add_argument("--max-radius", type=float, default=None, help="in units of x,y")
    command.add_argument(
        "--prospective", action="store_true", help="only windows ending on the last day"
    )
    command.add_argument("--max-clusters", type=int, default=DEFAULT_MAX_CLUSTERS)
    command.add_argument("--seed", type=int, default=0, help="for the replications")
    command.set_defaults(func=run)
