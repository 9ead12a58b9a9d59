"""Django's SQLite backend with writers served in turn, quickly.

Every transaction begins with BEGIN IMMEDIATE (the write lock up front; settings.py). While
one writer holds it, SQLite's busy handler makes the others sleep and retry with growing
pauses, up to 100 ms each: a waiter can miss the lock again and again while others take it,
and under 8 concurrent intakes one waited over a second (p99 1.3–1.6 s) for transactions
that hold the lock a few ms. So each transaction first takes an exclusive `flock` on a file
beside the database, asking again every millisecond, and only then begins: the waiters in
every process and thread find the lock free within a millisecond of its release. The kernel
lets go of the lock when a process dies, so a killed server never leaves it taken; after the
database's own busy timeout a waiter gives up with SQLite's "database is locked"."""

from __future__ import annotations

import fcntl
import os
import time
from typing import Any

from django.db.backends.sqlite3 import base
from django.db.utils import OperationalError

POLL_SECONDS = 0.001


# (django-stubs do not declare the private methods overridden here: hence the ignores)
class DatabaseWrapper(base.DatabaseWrapper):
    _turn: int | None = None  # the lock file's descriptor, while this connection holds it

    def _take_turn(self) -> None:
        if self._turn is not None or self.is_in_memory_db():
            return
        descriptor = os.open(f"{self.settings_dict['NAME']}-writers.lock", os.O_RDWR | os.O_CREAT)
        give_up = time.monotonic() + float(self.settings_dict["OPTIONS"].get("timeout", 5))
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > give_up:
                    os.close(descriptor)
                    raise OperationalError("database is locked") from None
                time.sleep(POLL_SECONDS)
        self._turn = descriptor

    def _end_turn(self) -> None:
        if self._turn is not None:
            descriptor, self._turn = self._turn, None
            os.close(descriptor)  # its only descriptor closed, the lock is let go

    def _start_transaction_under_autocommit(self) -> None:
        self._take_turn()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._end_turn()
            raise

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]
        finally:
            self._end_turn()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]
        finally:
            self._end_turn()

    def _close(self) -> Any:
        try:
            return super()._close()  # type: ignore[misc]
        finally:
            self._end_turn()
