"""The embedded SQLite database: copied with SQLite's online backup API, put back by
swapping the file while no server runs.

The copy is one backup step (`pages=-1`): SQLite copies every page inside one read
transaction, so the copy is the database at one instant. In WAL mode writers go on meanwhile
(readers never block writers); a copy in many small steps would instead start again after
every write by another connection, and under a steady load might never finish."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path


class InUse(Exception):
    """Another process has the database open (a server, the worker)."""


def snapshot(database: Path, target: Path) -> None:
    """A consistent copy of `database` at `target`, checked with `PRAGMA quick_check`."""
    source = sqlite3.connect(database, timeout=30)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy, pages=-1)
            verdict = copy.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            copy.close()
    finally:
        source.close()
    if verdict != "ok":
        raise sqlite3.DatabaseError(f"the copy of {database} fails its check: {verdict}")


def refuse_if_in_use(database: Path) -> None:
    """`InUse` unless this process can lock the database for itself. In WAL mode any other
    open connection, even an idle one, keeps the exclusive lock from being taken."""
    if not database.exists():
        return
    probe = sqlite3.connect(database, timeout=0.5, isolation_level=None)
    try:
        probe.execute("PRAGMA locking_mode=EXCLUSIVE")
        probe.execute("BEGIN EXCLUSIVE")
        probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
        probe.execute("ROLLBACK")
    except sqlite3.OperationalError as error:
        raise InUse(
            f"{database} is in use ({error}): stop `cityloop serve` and the worker first"
        ) from None
    finally:
        probe.close()


def install(staged: Path, database: Path) -> None:
    """Put the restored file in place of `database`. The old file's -wal and -shm go first:
    a stale write-ahead log replayed over the restored file would corrupt it."""
    refuse_if_in_use(database)
    database.parent.mkdir(parents=True, exist_ok=True)
    beside = database.with_name("." + database.name + ".restoring")
    shutil.move(staged, beside)  # a rename when staged on the same file system
    with beside.open("rb") as written:
        os.fsync(written.fileno())
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    os.replace(beside, database)
    descriptor = os.open(database.parent, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
