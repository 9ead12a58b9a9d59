"""`cityloop import FILE`: historical appeals from CSV or Excel into the record (批量导入).

cityloop import appeals.xlsx [--mapping columns.json] [--dry-run] [--report PATH|-]

Progress goes to stderr; the summary (JSON) to stdout. Rejected rows are written, with their
row numbers and reasons, to FILE's name + ".rejected.csv" beside it (or where --report says;
"-" for stdout). Killed half-way, the same command carries on where it stopped. After the
import the analytics store is brought up to date (--no-export to leave it to the night).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TextIO

REPORT_SUFFIX = ".rejected.csv"
REPORT_HEADER = ["行号 row", "工单编号 ticket_id", "原因 reason"]


def _refuse(message: str) -> NoReturn:
    """Bad input: one line on standard error, exit status 2, no traceback."""
    print(f"cityloop import: {message}", file=sys.stderr)
    sys.exit(2)


def _progress(done: int, total: int) -> None:
    print(f"导入 import: {done}/{total} 行 rows", file=sys.stderr, flush=True)


def _write_report(out: TextIO, rejections: list[tuple[int, str, str]]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REPORT_HEADER)
    writer.writerows(rejections)


def report_path(source: Path) -> Path:
    return source.with_name(source.name + REPORT_SUFFIX)


def run_import(args: argparse.Namespace) -> None:
    source = Path(args.file)
    if not source.is_file():
        _refuse(f"no such file: {source}")
    if args.mapping and not Path(args.mapping).is_file():
        _refuse(f"no such mapping file: {args.mapping}")
    if args.chunk_size < 1:
        _refuse("--chunk-size must be at least 1")
    args.prepare()
    from cityloop.intake.bulk.services import import_file
    from cityloop.kernel.errors import DomainError

    try:
        summary = import_file(
            source,
            actor_name="cli",
            mapping_path=Path(args.mapping) if args.mapping else None,
            dry_run=args.dry_run,
            chunk_size=args.chunk_size,
            progress=_progress,
        )
    except DomainError as error:
        _refuse(" ".join(str(error.message).split()))
    result: dict[str, Any] = summary.as_dict()
    if args.report == "-":
        _write_report(sys.stdout, summary.rejections)
    elif summary.rejections:
        target = Path(args.report) if args.report else report_path(source)
        with target.open("w", encoding="utf-8-sig", newline="") as out:
            _write_report(out, summary.rejections)
        result["report"] = str(target)
    elif not args.report:
        # an earlier version of the file had rejected rows; this one has none
        report_path(source).unlink(missing_ok=True)
    if not args.dry_run and not args.no_export and summary.imported:
        result["analytics"] = _export()
    print(
        json.dumps(result, ensure_ascii=False),
        file=sys.stderr if args.report == "-" else sys.stdout,
    )


def _export() -> str:
    from cityloop.analytics.store import ExportRunning, export_store

    try:
        exported = export_store()
    except ExportRunning:
        return "another export is running: the imported months go in with the next one"
    return f"{len(exported.months_exported)} months exported"


def add_commands(sub: Any, prepare: Callable[[], None]) -> None:
    command = sub.add_parser(
        "import",
        help="import historical appeals from CSV or Excel (resumable; rejected rows reported)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument("file", help="a .csv (UTF-8 or GB18030) or .xlsx file")
    command.add_argument("--mapping", help='JSON {"field": "column name"} for other columns')
    command.add_argument(
        "--dry-run", action="store_true", help="check every row and report; write nothing"
    )
    command.add_argument(
        "--report", help='where the rejected rows go (default: beside FILE; "-": stdout)'
    )
    command.add_argument("--chunk-size", type=int, default=500, help="rows per transaction")
    command.add_argument(
        "--no-export", action="store_true", help="do not bring the analytics store up to date"
    )
    command.set_defaults(func=run_import, prepare=prepare)
