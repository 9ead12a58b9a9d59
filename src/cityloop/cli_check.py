"""`cityloop check`: is every appeal's record consistent with the appeal (after a crash, a
restore, a bulk load)? The rules are appeals.integrity's; this only reports them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

SHOWN = 200  # problems listed; the count says how many there are in all


def check(args: argparse.Namespace) -> None:
    from django.db import DatabaseError

    from cityloop.appeals.integrity import check_all

    try:
        summary = check_all()
    except DatabaseError as error:  # no database there, or not migrated: nothing to check
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        print(f"cityloop check: cannot read the appeals: {first_line}", file=sys.stderr)
        sys.exit(2)
    if not summary.problems:
        print(f"{summary.appeals} appeals, {summary.events} events: consistent")
        return
    for problem in summary.problems[:SHOWN]:
        print(problem)
    if len(summary.problems) > SHOWN:
        print(f"… and {len(summary.problems) - SHOWN} more")
    affected = len({problem.tracking_code for problem in summary.problems})
    print(
        f"{summary.appeals} appeals, {summary.events} events: {len(summary.problems)} "
        f"problems in {affected} appeals",
        file=sys.stderr,
    )
    sys.exit(1)


def add_commands(sub: Any, prepare: Callable[[], None]) -> None:
    command = sub.add_parser(
        "check", help="check that every appeal's recorded events agree with the appeal"
    )

    def run(args: argparse.Namespace) -> None:
        prepare()
        check(args)

    command.set_defaults(func=run)
