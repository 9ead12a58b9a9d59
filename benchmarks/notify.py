"""What telling citizens costs. Prints, on a fresh SQLite database in a temporary folder:

- appeals received and dispatched per second through the service layer with the outbox
  written in each transaction (4 messages: receipt and dispatch, SMS and e-mail), and with
  notify's receiver disconnected: the difference is the outbox's cost at intake;
- messages sent per second by `send_pending` (the worker's drain) to the file backends
  (claim, write one file per key with fsync, record), one process.

Usage: python benchmarks/notify.py [--appeals 500]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

os.environ["CITYLOOP_DATA_DIR"] = tempfile.mkdtemp(prefix="cityloop-notify-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityloop.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--appeals", type=int, default=500)
    args = parser.parse_args()

    import django

    django.setup()
    from cityloop.appeals.events import event_recorded
    from cityloop.cli import _prepare_database
    from cityloop.notify.outbox import write_messages
    from cityloop.notify.sending import send_pending
    from cityloop.testing import build_tiny_city

    print(f"database: sqlite  python {sys.version.split()[0]}  cpus {os.cpu_count()}")
    _prepare_database()
    city = build_tiny_city()

    def receive(count: int) -> float:
        started = time.perf_counter()
        for number in range(count):
            city.receive(caller_phone=f"139{number:08d}", email=f"c{number}@example.com")
        return count / (time.perf_counter() - started)

    event_recorded.disconnect(write_messages, dispatch_uid="cityloop.notify.outbox")
    without = receive(args.appeals)
    event_recorded.connect(write_messages, dispatch_uid="cityloop.notify.outbox")
    with_outbox = receive(args.appeals)
    print(
        f"intake, {args.appeals} appeals each: {without:,.0f} appeals/s without notify, "
        f"{with_outbox:,.0f} appeals/s with 4 outbox rows each "
        f"({(1 / with_outbox - 1 / without) * 1000:+.1f} ms per appeal)"
    )

    import contextlib
    import io

    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # the file backends print a line each
        outcome = send_pending(limit=10**9)
    elapsed = time.perf_counter() - started
    print(
        f"send_pending to the file backends: {outcome['sent']:,} messages in {elapsed:.1f} s "
        f"= {outcome['sent'] / elapsed:,.0f} messages/s (one process)"
    )


if __name__ == "__main__":
    main()
