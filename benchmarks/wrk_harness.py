"""What the wrk benchmarks share: a demo city in a database of its own, `cityloop serve` on
loopback, wrk runs with the server's and the database's CPU read from /proc around each."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PG = "postgresql://postgres@127.0.0.1:5432"
TICK = os.sysconf("SC_CLK_TCK")
SRC = str(Path(__file__).resolve().parents[1] / "src")


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG}/postgres", "-q", "-c", sql], check=True, capture_output=True)


def processes() -> dict[int, tuple[int, str]]:
    """pid → (parent pid, command name) of every process."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                text = (entry / "stat").read_text()
            except OSError:
                continue
            name = text[text.index("(") + 1 : text.rindex(")")]
            parent = int(text.rsplit(")", 1)[1].split()[1])
            found[int(entry.name)] = (parent, name)
    return found


def descendants(root: int) -> set[int]:
    table = processes()
    family, grew = {root}, True
    while grew:
        grew = False
        for pid, (parent, _name) in table.items():
            if parent in family and pid not in family:
                family.add(pid)
                grew = True
    return family


def postgres_pids() -> set[int]:
    return {pid for pid, (_parent, name) in processes().items() if name.startswith("postgres")}


def cpu_ticks(pids: set[int]) -> dict[int, int]:
    """pid → user + system clock ticks so far."""
    ticks = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks[pid] = int(fields[11]) + int(fields[12])
    return ticks


def cpu_ms_since(before: dict[int, int], now: dict[int, int]) -> float:
    """CPU milliseconds spent since `before` by the processes alive now (a process that
    started since counts from zero; one that ended is lost, so connections are kept open)."""
    return sum(max(0, ticks - before.get(pid, 0)) for pid, ticks in now.items()) * 1000 / TICK


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def parse_wrk(output: str) -> dict[str, float]:
    def duration(text: str) -> float:
        value, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]

    found: dict[str, float] = {}
    found["requests_per_s"] = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    found["requests"] = float(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    for label in ("50", "99"):
        found[f"p{label}_ms"] = duration(re.search(rf"\s{label}%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    found["non_2xx"] = float(bad.group(1)) if bad else 0.0
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    found["socket_errors"] = float(sum(int(n) for n in errors.groups())) if errors else 0.0
    return found


@dataclass
class City:
    """A demo city in a data directory (and, for PostgreSQL, a database) of its own."""

    env: dict[str, str]
    database: str  # "sqlite" or "postgresql"

    def cityloop(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "cityloop", *args],
            env=self.env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        return done.stdout


@contextlib.contextmanager
def demo_city(database: str, appeals: int, days: int = 60) -> Iterator[City]:
    work = Path(tempfile.mkdtemp(prefix="cityloop-bench-"))
    env = {**os.environ, "CITYLOOP_DATA_DIR": str(work), "PYTHONPATH": SRC}
    env["CITYLOOP_THROTTLE"] = "off"  # a load test, not a guessing attack
    pg_name = f"cityloop_bench_{os.getpid()}"
    if database == "postgresql":
        env["CITYLOOP_DATABASE_URL"] = f"{PG}/{pg_name}"
        psql(f"DROP DATABASE IF EXISTS {pg_name}")
        psql(f"CREATE DATABASE {pg_name}")
    try:
        say(f"building a demo city of {appeals} appeals on {database}…")
        city = City(env, database)
        city.cityloop("demo", "--appeals", str(appeals), "--days", str(days))
        yield city
    finally:
        if database == "postgresql":
            psql(f"DROP DATABASE IF EXISTS {pg_name}")
        shutil.rmtree(work, ignore_errors=True)


@contextlib.contextmanager
def server(city: City, *options: str) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """`cityloop serve` on a free loopback port, stopped (with its workers) at the end."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cityloop", "serve", "--no-demo", "--no-worker",
         "--port", str(port), *options],
        env=city.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        for _ in range(240):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        time.sleep(2)  # the workers import the application
        yield port, process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


def run_wrk(
    port: int, script: Path, *, seconds: int, connections: int, server_pid: int, database: str
) -> dict[str, float]:
    """One wrk run; the figures, with CPU ms per request of the server and the database."""
    app_before = cpu_ticks(descendants(server_pid))
    db_before = cpu_ticks(postgres_pids()) if database == "postgresql" else {}
    done = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency",
         "-s", str(script), f"http://127.0.0.1:{port}"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    figures = parse_wrk(done.stdout)
    requests = max(figures["requests"], 1.0)
    figures["app_cpu_ms"] = cpu_ms_since(app_before, cpu_ticks(descendants(server_pid))) / requests
    if database == "postgresql":
        figures["db_cpu_ms"] = cpu_ms_since(db_before, cpu_ticks(postgres_pids())) / requests
    return {k: round(v, 2) for k, v in figures.items()}


def warm(port: int, script: Path, connections: int) -> None:
    subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", "3s", "-s", str(script),
         f"http://127.0.0.1:{port}"],
        check=True, capture_output=True,
    )  # fmt: skip


def need_wrk() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")


def dump(result: object) -> None:
    print(json.dumps(result, ensure_ascii=False, indent=1))
