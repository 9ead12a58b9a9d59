"""`cityloop backup` and `cityloop restore`: the database and the attachment files in one file.

cityloop backup [--output PATH]   a .tar under CITYLOOP_DATA_DIR/backups/ (or PATH: a file,
                                  or a folder to put it in); safe while the server runs
cityloop restore FILE [--force]   check every checksum, then put the database and the files
                                  back (SQLite: stop the server and the worker first)

Progress goes to stderr, the summary (JSON) to stdout. A damaged or truncated file, a target
database that already holds appeals (without --force), a backup of another database vendor:
exit status 2, one line, nothing changed. The analytics store is not in the backup (derived
data: `cityloop analytics export --full` rebuilds it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityloop.settings")
    import django

    django.setup()


def _refuse(command: str, message: str, status: int = 2) -> NoReturn:
    """Bad input: one line on standard error, exit status 2, no traceback."""
    print(f"cityloop {command}: {message}", file=sys.stderr)
    sys.exit(status)


def _progress(command: str) -> Any:
    def say(message: str) -> None:
        print(f"cityloop {command}: {message}", file=sys.stderr, flush=True)

    return say


def backup(args: argparse.Namespace) -> None:
    _django()
    from cityloop.backup.services import Refused, resolve_output, take_backup

    try:
        output = resolve_output(args.output, datetime.now(UTC))
        summary = take_backup(output, _progress("backup"))
    except Refused as refused:
        _refuse("backup", str(refused))
    except OSError as error:
        _refuse("backup", f"cannot write the backup: {error}")
    print(json.dumps(summary, ensure_ascii=False))


def restore(args: argparse.Namespace) -> None:
    _django()
    from cityloop.backup.archive import BadBackup
    from cityloop.backup.services import Refused, RestoreMismatch, restore_backup

    say = _progress("restore")
    try:
        summary = restore_backup(Path(args.file), force=args.force, progress=say)
    except (BadBackup, Refused) as refused:
        _refuse("restore", str(refused))
    except RestoreMismatch as mismatch:
        _refuse("restore", str(mismatch), status=1)
    if summary["pending_migrations"]:
        say(f"{summary['pending_migrations']} migrations to apply: run `cityloop seed`")
    say("the analytics store is not in a backup: run `cityloop analytics export --full`")
    print(json.dumps(summary, ensure_ascii=False))


def add_commands(sub: Any) -> None:
    command = sub.add_parser(
        "backup",
        help="back up the database and the attachment files into one file",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument(
        "--output", help="the file to write, or a folder for it (default: DATA_DIR/backups/)"
    )
    command.set_defaults(func=backup)
    command = sub.add_parser(
        "restore",
        help="restore a backup (checks it first; SQLite: stop the server first)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument("file", help="a file written by `cityloop backup`")
    command.add_argument(
        "--force", action="store_true", help="replace a database that already holds appeals"
    )
    command.set_defaults(func=restore)
