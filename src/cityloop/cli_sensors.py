"""`cityloop facilities …`: the registry of city facilities that report themselves (城市部件)
from a CSV file, and a small simulated sensor feed for a demo city."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn


def _refuse(message: str) -> NoReturn:
    print(f"cityloop facilities: {message}", file=sys.stderr)
    sys.exit(2)


def import_file(args: argparse.Namespace) -> None:
    """Every row is reported: created, updated, unchanged counts on stdout; each rejected row
    with its line and reason on stderr. Exit 1 when some rows were rejected."""
    from cityloop.access.actors import Actor
    from cityloop.intake.sensors.facilities import RowRejected, import_facilities

    path = Path(args.file)
    try:
        with path.open(encoding="utf-8-sig", newline="") as lines:
            report = import_facilities(lines, actor=Actor.system())
    except OSError as error:
        _refuse(f"cannot read {path}: {error.strerror or error}")
    except UnicodeDecodeError:
        _refuse(f"{path} is not UTF-8 text")
    except RowRejected as refused:
        _refuse(f"{path}: {refused}")
    for line, code, reason in report.rejected:
        print(f"  line {line} ({code or '-'}): {reason}", file=sys.stderr)
    print(
        f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}, "
        f"rejected {len(report.rejected)}"
    )
    if report.rejected:
        sys.exit(1)


def simulate(args: argparse.Namespace) -> None:
    from cityloop.demo.facilities import simulate_feed

    def progress(done: int, total: int) -> None:
        if done == total or done % 50 == 0:
            print(f"\r  alarms {done}/{total}", end="\n" if done == total else "", file=sys.stderr)

    counts = simulate_feed(alarms=args.alarms, seed=args.seed, progress=progress)
    if not counts:
        _refuse("no facilities registered (import some, or build a demo city first)")
    for key, value in counts.items():
        print(f"{key}: {value}")


def add_commands(sub: Any, prepare: Callable[[], None]) -> None:
    facilities = sub.add_parser(
        "facilities", help="城市部件: the facility registry and its sensors"
    )
    commands = facilities.add_subparsers(dest="facilities_command", required=True)

    def with_database(run: Callable[[argparse.Namespace], None]) -> Callable[..., None]:
        def wrapped(args: argparse.Namespace) -> None:
            prepare()
            run(args)

        return wrapped

    importer = commands.add_parser(
        "import",
        help="create or update facilities from a CSV file, by code "
        "(columns: code,kind,name,lat,lng,unit[,grid,address,category,active])",
    )
    importer.add_argument("file", help="UTF-8 CSV with a header row")
    importer.set_defaults(func=with_database(import_file))

    simulator = commands.add_parser(
        "simulate", help="send simulated alarms from a few devices through the sensor intake"
    )
    simulator.add_argument("--alarms", type=int, default=100)
    simulator.add_argument("--seed", type=int, default=1)
    simulator.set_defaults(func=_checked(with_database(simulate)))


def _checked(run: Callable[[argparse.Namespace], None]) -> Callable[[argparse.Namespace], None]:
    def wrapped(args: argparse.Namespace) -> None:
        if not 1 <= args.alarms <= 100_000:
            _refuse(f"--alarms must be 1 to 100000, not {args.alarms}")
        run(args)

    return wrapped
