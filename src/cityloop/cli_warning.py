"""`cityloop warning …`: the early-warning detectors on any data, CSV in, CSV out.

No database: these commands read a file (or standard input) and print to standard output,
so they serve for any city's series, not only this one's.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Callable
from datetime import date
from typing import IO, Any, NoReturn


def _open_input(path: str) -> IO[str]:
    if path == "-":
        return sys.stdin
    try:
        return open(path, encoding="utf-8-sig", newline="")
    except OSError as error:
        _refuse(f"cannot read {path}: {error.strerror}")


def _refuse(message: str) -> NoReturn:
    """Bad input: one line on standard error, exit status 2, no traceback."""
    print(f"cityloop warning: {message}", file=sys.stderr)
    sys.exit(2)


def detect(args: argparse.Namespace) -> None:
    from cityloop.warning.detect import detect_all
    from cityloop.warning.series import BadSeries, read_daily_series

    if not 0.0 < args.alpha < 0.5:
        _refuse(f"--alpha must be between 0 and 0.5, not {args.alpha:g}")
    source = _open_input(args.file)
    try:
        series = read_daily_series(source)
    except BadSeries as bad:
        _refuse(str(bad))
    finally:
        if source is not sys.stdin:
            source.close()
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["date", "method", "alarm", "statistic", "threshold"])
    for row in detect_all(series, alpha=args.alpha):
        out.writerow(row.as_csv())


def run(args: argparse.Namespace, prepare: Callable[[], None]) -> None:
    """The nightly run, now: bring the analytics store up to date, detect, save the alerts."""
    prepare()
    from cityloop.analytics.jobs import export_store
    from cityloop.warning.nightly import run_warnings

    def say(message: str) -> None:
        print(f"cityloop warning run: {message}", file=sys.stderr, flush=True)

    say("exporting the analytics store")
    export_store()
    found = run_warnings(as_of=args.as_of, progress=say)
    print(f"as_of: {found.as_of}")
    print(f"alerts: {found.alerts_found} ({found.alerts_new} new)")
    print(f"seconds: {found.seconds}")


def add_commands(sub: Any, prepare: Callable[[], None]) -> None:
    """The `warning` group under the main parser; each command sets its own `func`.
    `prepare` sets up Django and the database, for the commands that need them."""
    from cityloop.warning.scan_cli import add_scan_command

    warning = sub.add_parser(
        "warning", help="early warning: sudden rises in daily series, space-time clusters"
    )
    commands = warning.add_subparsers(dest="warning_command", required=True)
    detect_parser = commands.add_parser(
        "detect",
        help="sudden rises in a daily series (CSV date,count; - for stdin): EARS C1-C3 "
        "and a count model",
    )
    detect_parser.add_argument("file", help="CSV with header date,count (ISO dates); - = stdin")
    detect_parser.add_argument(
        "--alpha", type=float, default=0.001, help="false-alarm probability per day"
    )
    detect_parser.set_defaults(func=detect)
    add_scan_command(commands)
    run_parser = commands.add_parser(
        "run", help="the nightly warning run now: export the store, detect, save alerts"
    )
    run_parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        help="last day to look at, YYYY-MM-DD (default: yesterday)",
    )
    run_parser.set_defaults(func=lambda args: run(args, prepare))
