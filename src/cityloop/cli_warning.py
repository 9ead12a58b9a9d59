"""`cityloop warning …`: the early-warning detectors on any data, CSV in, CSV out.

No database: these commands read a file (or standard input) and print to standard output,
so they serve for any city's series, not only this one's.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Callable
from datetime import date, timedelta
from typing import IO, Any, NoReturn

import numpy as np


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


HISTORY_END = date(2026, 11, 30)  # fixed, so a seed gives the same table; chinese_calendar
# knows the holidays up to 2026


def demo_city_expected_counts(
    series: int, days: int, seed: int
) -> tuple[list[date], np.ndarray, list[str]]:
    """Expected daily counts of `series` series (a category in one street of the demo city):
    each follows the demo's rhythm for a category picked at random (its season and week, the
    holidays, 调休 and the trend), at a level between 2 and 30 appeals a day on average."""
    from cityloop.demo import rhythm
    from cityloop.demo.text_profiles import PROFILES

    dates = [HISTORY_END - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    rng = np.random.default_rng(seed)
    expected = np.zeros((series, days))
    names = []
    for number in range(series):
        profile = PROFILES[int(rng.integers(len(PROFILES)))]
        shape = np.array([rhythm.day_weight(profile, day) for day in dates])
        expected[number] = shape / shape.mean() * np.exp(rng.uniform(np.log(2), np.log(30)))
        names.append(profile.path[-1])
    return dates, expected, names


def run_evaluation(
    incidents: int, seed: int, days: int, alpha: float, matched_rates: list[float] | None
) -> str:
    """The harness on demo-city-like histories, one incident per series; progress on
    standard error; returns the table."""
    from cityloop.warning.detect import official_holidays, official_makeup_workdays
    from cityloop.warning.evaluation import evaluate, format_table, inject_incidents

    dates, expected, _ = demo_city_expected_counts(incidents, days, seed)
    histories = inject_incidents(
        dates, expected, incidents=incidents, seed=seed, evaluated_from=days // 2
    )

    def progress(done: int, total: int) -> None:
        if done == total or done % max(1, total // 10) == 0:
            print(f"warning evaluate: {done}/{total} series scored", file=sys.stderr)

    evaluation = evaluate(
        histories,
        official_holidays(),
        official_makeup_workdays(),
        alpha=alpha,
        matched_rates=matched_rates,
        progress=progress,
    )
    return format_table(evaluation)


def evaluate(args: argparse.Namespace) -> None:
    if not 10 <= args.incidents <= 5000:
        _refuse(f"--incidents must be between 10 and 5000, not {args.incidents}")
    if not 120 <= args.days <= 3650:
        _refuse(f"--days must be between 120 and 3650, not {args.days}")
    if not 0.0 < args.alpha < 0.5:
        _refuse(f"--alpha must be between 0 and 0.5, not {args.alpha:g}")
    for rate in args.matched_rate or ():
        if not 0.0 < rate < 7.0:
            _refuse(f"--matched-rate must be between 0 and 7 per week, not {rate:g}")
    print(run_evaluation(args.incidents, args.seed, args.days, args.alpha, args.matched_rate))


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
    evaluate_parser = commands.add_parser(
        "evaluate",
        help="the detectors on demo-city histories with injected incidents: detected share, "
        "median delay, false alarms per week; at the default alpha and at a matched rate",
    )
    evaluate_parser.add_argument("--incidents", type=int, default=60, help="one per series")
    evaluate_parser.add_argument("--seed", type=int, default=14)
    evaluate_parser.add_argument(
        "--days", type=int, default=730, help="length of each series; the second half is scored"
    )
    evaluate_parser.add_argument("--alpha", type=float, default=0.001)
    evaluate_parser.add_argument(
        "--matched-rate",
        type=float,
        action="append",
        help="false alarms per series-week every method is held to; repeat for several "
        "(default: EARS C3's rate at alpha, and 0.01)",
    )
    evaluate_parser.set_defaults(func=evaluate)
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
