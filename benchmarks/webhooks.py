"""What the webhooks cost. Prints, on a fresh SQLite database in a temporary folder:

- appeals received and dispatched per second through the service layer with the webhooks
  receiver disconnected, connected with no subscription, and with 3 subscriptions (every
  event: 2 deliveries per subscription and appeal, written in the event's transaction);
- deliveries sent per second by `send_pending` (the worker's run) to a receiver on
  loopback (http.server, threaded): claim, sign, POST, record; one process.

Usage: python benchmarks/webhooks.py [--appeals 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

os.environ["CITYLOOP_DATA_DIR"] = tempfile.mkdtemp(prefix="cityloop-webhooks-bench-")
os.environ["CITYLOOP_WEBHOOKS_ALLOW_PRIVATE"] = "1"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityloop.settings")


class Accept(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--appeals", type=int, default=300)
    args = parser.parse_args()

    import django

    django.setup()
    from cityloop.access import keys
    from cityloop.appeals.events import event_recorded
    from cityloop.cli import _prepare_database
    from cityloop.integrations.webhooks import services
    from cityloop.integrations.webhooks.outbox import write_deliveries
    from cityloop.integrations.webhooks.sending import send_pending
    from cityloop.org.models import KeyScope
    from cityloop.testing import build_tiny_city

    print(f"database: sqlite  python {sys.version.split()[0]}  cpus {os.cpu_count()}")
    _prepare_database()
    city = build_tiny_city()
    city.admin_client()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Accept)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/hook"

    def receive(count: int) -> float:
        started = time.perf_counter()
        for _ in range(count):
            city.receive()
        return count / (time.perf_counter() - started)

    receive(max(20, args.appeals // 5))  # warm-up: caches, the first pages of the database
    uid = "cityloop.webhooks.outbox"
    chunk = max(10, args.appeals // 6)

    def interleaved(rounds: int = 3) -> tuple[float, float]:
        """Appeals/s without and with the receiver, measured in alternating chunks (the
        database grows and the shared cores' load moves: neither side gets the better
        half); the medians."""
        off, on = [], []
        for _ in range(rounds):
            event_recorded.disconnect(write_deliveries, dispatch_uid=uid)
            off.append(receive(chunk))
            event_recorded.connect(write_deliveries, dispatch_uid=uid)
            on.append(receive(chunk))
        return statistics.median(off), statistics.median(on)

    without, idle = interleaved()
    for number in range(3):
        key, _raw = keys.issue_key(
            actor=city.actor("admin"), name=f"system {number}", scopes=[KeyScope.WEBHOOKS]
        )
        services.subscribe(key=key, url=url)
    without_3, subscribed = interleaved()
    print(
        f"intake, 3 × {chunk} appeals each side (medians): no subscription "
        f"{without:,.1f} → {idle:,.1f} appeals/s ({(1 / idle - 1 / without) * 1000:+.1f} ms); "
        f"3 subscriptions = 6 deliveries per appeal {without_3:,.1f} → {subscribed:,.1f} "
        f"appeals/s ({(1 / subscribed - 1 / without_3) * 1000:+.1f} ms per appeal)"
    )
    started = time.perf_counter()
    outcome = send_pending(limit=10**9)
    elapsed = time.perf_counter() - started
    print(
        f"send_pending to a loopback receiver: {outcome['sent']:,} deliveries in {elapsed:.1f} s"
        f" = {outcome['sent'] / elapsed:,.0f} deliveries/s (one process, one at a time)",
        file=sys.stdout,
    )
    server.shutdown()


if __name__ == "__main__":
    main()
