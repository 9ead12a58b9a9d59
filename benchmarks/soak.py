"""Soak: `cityloop serve` (gunicorn) on loopback, driven at a fixed rate of intakes plus
list requests for `--minutes` (default 10), sampling every gunicorn worker's resident
memory every 10 s. Prints, per minute: the achieved rates, latency p50/p99, errors and each
worker's RSS; then the verdict "memory constant" when the largest RSS of the last third
of the run is at most 1.1 × that of the first third + 8 MB, for every worker.

The default rate: Beijing's 12345 hotline takes on the order of 22 million appeals (诉求) a
year (the order of magnitude Beijing's yearly 接诉即办 reports give; an estimate, not a
measured figure of ours), i.e. 22,000,000 / 365 ≈ 60,000 a day. Assuming the busiest
hour holds ~10 % of a day's appeals: 6,000 an hour ≈ 1.7/s at peak. Ten times that is
≈ 17 intakes/s — the default `--rate`.
List requests (a dispatcher's or handler's worklist page) come on top, at `--list-rate`.

The client is Python threads on a time-based schedule (request i of a stream is due at
start + i / rate): a slow answer does not slow the schedule (wrk cannot pace). Latency is
measured from the moment a request was due, so a server falling behind shows in p99.

    PYTHONPATH=src python benchmarks/soak.py [--minutes 10] [--rate 17] [--list-rate 5]
        [--workers 2] [--pg postgresql://postgres@127.0.0.1:5432/soak]

SQLite in a temporary folder by default; with --pg the database given (it is migrated and
a tiny test city is added to it: use a scratch database).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BEIJING_PEAK_PER_SECOND = 22_000_000 / 365 * 0.10 / 3600  # ≈ 1.67
DEFAULT_RATE = round(BEIJING_PEAK_PER_SECOND * 10, 1)  # ≈ 16.7
SAMPLE_SECONDS = 10.0
GROWTH_FACTOR, GROWTH_SLACK_KB = 1.1, 8 * 1024
# (seconds since the start, {gunicorn worker pid: VmRSS in kB})
Samples = list[tuple[float, dict[int, int]]]

SETUP = """
import json
from django.conf import settings
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
from cityloop.org.models import ApiToken
from cityloop.testing import build_tiny_city
city = build_tiny_city()
print(json.dumps({
    "token": ApiToken.issue(city.users["calltaker"], "soak"),
    "address": city.addresses[0].code,
    "category": city.category("城乡建设", "城市建设和市政管理", "城市公共设施").code,
}))
"""


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Outcome:
    kind: str  # "intake" or "list"
    due: float  # seconds since the start
    latency: float  # seconds from due to answered
    ok: bool
    sent: bool = True  # False: still not sent when the run ended (the server fell behind)

    @property
    def done(self) -> float:
        return self.due + self.latency


@dataclass
class Load:
    port: int
    token: str
    address: str
    category: str
    outcomes: list[Outcome] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def request(self, kind: str, number: int) -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        try:
            if kind == "intake":
                body = json.dumps(
                    {
                        "channel": "phone",
                        "content": f"压力测试 {number} 小区门口路灯坏了，晚上很黑",
                        "caller_phone": f"138{number % 100_000_000:08d}",
                        "standard_address_code": self.address,
                        "category_code": self.category,
                    }
                )
                connection.request("POST", "/api/appeals", body, headers)
                expected = 201
            else:
                offset = (number * 20) % 200
                connection.request("GET", f"/api/appeals?limit=20&offset={offset}", None, headers)
                expected = 200
            response = connection.getresponse()
            response.read()
            return response.status == expected
        except (OSError, http.client.HTTPException):
            return False
        finally:
            connection.close()

    def stream(self, kind: str, rate: float, started: float, until: float) -> None:
        """One paced stream, served by a pool of threads taking the next due request."""
        counter = iter(range(10**9))
        counter_lock = threading.Lock()

        def run() -> None:
            while True:
                with counter_lock:
                    number = next(counter)
                due = number / rate
                if due >= until:
                    return
                pause = started + due - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                if time.monotonic() - started > until:
                    outcome = Outcome(kind, due, float("nan"), ok=False, sent=False)
                else:
                    ok = self.request(kind, number)
                    outcome = Outcome(kind, due, time.monotonic() - started - due, ok)
                with self.lock:
                    self.outcomes.append(outcome)

        threads = max(4, int(rate * 2))
        pool = [threading.Thread(target=run, daemon=True) for _ in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def rss_kb(pid: int) -> int | None:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def gunicorn_workers(master: int) -> list[int]:
    """The master's children that run the same command line as the master (gunicorn forks
    its workers); the job worker `serve` may start runs another command."""
    with contextlib.suppress(OSError):
        own = Path(f"/proc/{master}/cmdline").read_bytes()
        return [pid for pid in children(master) if Path(f"/proc/{pid}/cmdline").read_bytes() == own]
    return []


def memory_now(master: int) -> dict[int, int]:
    found = {pid: rss_kb(pid) for pid in gunicorn_workers(master)}
    return {pid: kb for pid, kb in found.items() if kb is not None}


def sample_memory(master: int, started: float, until: float, samples: Samples) -> None:
    while time.monotonic() - started < until:
        samples.append((time.monotonic() - started, memory_now(master)))
        time.sleep(SAMPLE_SECONDS)
    samples.append((time.monotonic() - started, memory_now(master)))


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(outcomes: list[Outcome], samples: Samples, seconds: float) -> bool:
    workers = sorted({pid for _at, rss in samples for pid in rss})
    header = "minute  intake/s  list/s  p50 ms  p99 ms  errors  unsent  " + "  ".join(
        f"RSS {pid} MB" for pid in workers
    )
    print(header)
    minutes = int((seconds + 59) // 60)
    for minute in range(minutes):
        start, end = minute * 60, min((minute + 1) * 60, seconds)
        span = max(end - start, 1e-9)
        # answers by the minute they came back in (the last minute takes the stragglers),
        # requests not sent by the minute they were due in
        final_minute = minute == minutes - 1
        chunk = [
            o for o in outcomes if o.sent and start <= o.done and (final_minute or o.done < end)
        ]
        latencies = [o.latency * 1000 for o in chunk if o.ok]
        intakes = sum(1 for o in chunk if o.kind == "intake" and o.ok)
        lists = sum(1 for o in chunk if o.kind == "list" and o.ok)
        errors = sum(1 for o in chunk if not o.ok)
        unsent = sum(1 for o in outcomes if not o.sent and start <= o.due < end)
        memory = []
        for pid in workers:
            values = [rss[pid] for at, rss in samples if start <= at < end + 1 and rss.get(pid)]
            memory.append(f"{max(values) / 1024:>{len(f'RSS {pid} MB')}.1f}" if values else "-")
        print(
            f"{minute + 1:>6}  {intakes / span:>8.1f}  {lists / span:>6.1f}  "
            f"{percentile(latencies, 0.5):>6.0f}  {percentile(latencies, 0.99):>6.0f}  "
            f"{errors:>6}  {unsent:>6}  " + "  ".join(memory)
        )
    constant = True
    for pid in workers:
        series = [(at, rss[pid]) for at, rss in samples if rss.get(pid)]
        first = [kb for at, kb in series if at <= seconds / 3]
        last = [kb for at, kb in series if at >= 2 * seconds / 3]
        if not first or not last:
            print(f"worker {pid}: not sampled through the run (restarted?)")
            constant = False
            continue
        grew = max(last) > max(first) * GROWTH_FACTOR + GROWTH_SLACK_KB
        constant = constant and not grew
        print(
            f"worker {pid}: first third max {max(first) / 1024:.1f} MB, "
            f"last third max {max(last) / 1024:.1f} MB{' — grew' if grew else ''}"
        )
    due = len(outcomes)
    sent = sum(1 for o in outcomes if o.sent)
    failed = sum(1 for o in outcomes if o.sent and not o.ok)
    print(f"requests due {due}, sent {sent}, errors {failed}, not sent in time {due - sent}")
    print("memory constant" if constant else "memory grew")
    return constant


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=DEFAULT_RATE, help="intakes per second")
    parser.add_argument("--list-rate", type=float, default=5.0, help="list requests per second")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--pg", default="", help="PostgreSQL URL (default: SQLite)")
    args = parser.parse_args()
    if args.minutes <= 0 or args.rate <= 0 or args.list_rate < 0 or args.workers < 1:
        parser.error("--minutes, --rate and --workers must be positive")

    data_dir = Path(tempfile.mkdtemp(prefix="cityloop-soak-"))
    env = {**os.environ, "CITYLOOP_DATA_DIR": str(data_dir), "CITYLOOP_THROTTLE": "off"}
    env.pop("CITYLOOP_DATABASE_URL", None)
    if args.pg:
        env["CITYLOOP_DATABASE_URL"] = args.pg
    cityloop = [sys.executable, "-m", "cityloop"]
    server = None
    try:
        say(f"soak: {args.rate}/s intakes + {args.list_rate}/s lists for {args.minutes} min")
        subprocess.run([*cityloop, "seed"], env=env, check=True, capture_output=True)
        made = subprocess.run(
            [*cityloop, "manage", "shell", "-c", SETUP],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        setup = json.loads(made.stdout.strip().splitlines()[-1])
        port = free_port()
        server = subprocess.Popen(
            [
                *(*cityloop, "serve", "--no-demo", "--no-worker"),
                *("--port", str(port), "--workers", str(args.workers)),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        load = Load(port, setup["token"], setup["address"], setup["category"])
        deadline = time.monotonic() + 120
        while not load.request("list", 0):
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("soak: the server did not start")
            time.sleep(0.5)
        seconds = args.minutes * 60
        started = time.monotonic()
        samples: Samples = []
        threads = [
            threading.Thread(target=sample_memory, args=(server.pid, started, seconds, samples)),
            threading.Thread(target=load.stream, args=("intake", args.rate, started, seconds)),
        ]
        if args.list_rate > 0:
            threads.append(
                threading.Thread(
                    target=load.stream, args=("list", args.list_rate, started, seconds)
                )
            )
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        constant = report(load.outcomes, samples, seconds)
    finally:
        if server is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(30)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
        shutil.rmtree(data_dir, ignore_errors=True)
    sys.exit(0 if constant else 1)


if __name__ == "__main__":
    main()
