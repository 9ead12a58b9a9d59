"""`cityloop partitions ensure|list`: the monthly partitions of appeals and events on PostgreSQL
(decision 0014). The worker runs `ensure` daily; these commands are for an operator."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, NoReturn

SQLITE_NOTE = "cityloop partitions: this database is SQLite, whose tables are not partitioned"


def _refuse(message: str) -> NoReturn:
    print(f"cityloop partitions: {message}", file=sys.stderr)
    sys.exit(2)


def _partitioned_or_exit() -> bool:
    """False on SQLite (after saying so); refuses a PostgreSQL database not yet migrated."""
    from cityloop.appeals import partitions

    if not partitions.is_postgresql():
        print(SQLITE_NOTE)
        return False
    missing = [t.name for t in partitions.TABLES if not partitions.is_partitioned(t)]
    if missing:
        _refuse(f"{', '.join(missing)} not partitioned: run `cityloop manage migrate` first")
    return True


def ensure(args: argparse.Namespace) -> None:
    from cityloop.appeals import partitions

    if args.months_ahead < 0:
        _refuse(f"--months-ahead must be 0 or more, not {args.months_ahead}")
    if not _partitioned_or_exit():
        return
    created = partitions.ensure_partitions(args.months_ahead)
    for name in created:
        print(f"created {name}")
    print(f"{len(created)} partition(s) created, {args.months_ahead} month(s) ahead covered")


def list_(args: argparse.Namespace) -> None:
    from cityloop.appeals import partitions

    if not _partitioned_or_exit():
        return
    for info in partitions.list_partitions():
        print(f"{info.name:<32} {info.bounds:<80} ~{info.row_estimate} rows")


def add_commands(sub: Any, prepare: Callable[[], None]) -> None:
    def with_django(func: Callable[[argparse.Namespace], None]) -> Callable[..., None]:
        def run(args: argparse.Namespace) -> None:
            prepare()
            func(args)

        return run

    parser = sub.add_parser(
        "partitions", help="monthly partitions of appeals and events (PostgreSQL)"
    )
    commands = parser.add_subparsers(dest="partitions_command", required=True)
    ensure_parser = commands.add_parser(
        "ensure", help="create the missing month partitions, moving rows out of DEFAULT"
    )
    ensure_parser.add_argument("--months-ahead", type=int, default=3)
    ensure_parser.set_defaults(func=with_django(ensure))
    list_parser = commands.add_parser("list", help="each partition: name, range, row estimate")
    list_parser.set_defaults(func=with_django(list_))
