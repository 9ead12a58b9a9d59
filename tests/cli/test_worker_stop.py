"""`cityloop worker`, alone or started by `cityloop serve`, stops within seconds of SIGTERM,
sent to it or to its whole process group, leaves no process behind, and does not lose the
job it held."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from cityloop.testing import cli_env, free_port

pytestmark = pytest.mark.once

STOPS_WITHIN = 15.0  # seconds: the worker's grace for the job in hand, and a margin


def start(data_dir: Path, *args: str) -> subprocess.Popen[str]:
    """A command in a session of its own, as systemd or a terminal would run it."""
    return subprocess.Popen(
        [sys.executable, "-m", "cityloop", *args],
        env=cli_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def session_members(session: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def seconds_to_stop(process: subprocess.Popen[str], to: str) -> float:
    """Send TERM to the process, to its process group, or to every process of its session
    (as systemd stops a service) and time its exit."""
    started = time.monotonic()
    if to == "group":
        os.killpg(process.pid, signal.SIGTERM)
    elif to == "session":
        for pid in session_members(process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
    else:
        process.send_signal(signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(60)
    return time.monotonic() - started


def clean_up(session: int) -> list[int]:
    """Kill and report what is left of a session."""
    left = session_members(session)
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return left


def wait_for(condition, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds} s for {what}")
        time.sleep(0.1)


def cityloop_cli(data_dir: Path, *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cityloop", *args],
        env=cli_env(data_dir),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def enqueue_held_job(data_dir: Path, marker: Path) -> None:
    code = "from django_q.tasks import async_task; "
    code += f"async_task('tests.cli.jobs.held_job', {str(marker)!r})"
    cityloop_cli(data_dir, "manage", "shell", "-c", code)


def test_worker_stops_on_term_and_hands_back_the_job_it_held(tmp_path):
    cityloop_cli(tmp_path, "seed")
    markers = {}
    for to in ("process", "group", "session"):
        markers[to] = marker = tmp_path / f"job-{to}.log"
        enqueue_held_job(tmp_path, marker)
        worker = start(tmp_path, "worker")
        try:
            wait_for(marker.exists, 60, "the job to start")
            took = seconds_to_stop(worker, to)
        finally:
            left = clean_up(worker.pid)
        assert worker.returncode is not None, f"TERM to the {to}: the worker did not stop"
        assert took < STOPS_WITHIN, f"TERM to the {to}: {took:.1f} s"
        assert left == [], f"TERM to the {to}: processes of the worker are left"
        assert marker.read_text() == "start\n", "the job was cut off, not finished"

    # The jobs were not acknowledged: once the broker's retry time has passed (aged here by
    # hand), the next worker runs each again, to the end, once.
    with sqlite3.connect(tmp_path / "cityloop.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM django_q_ormq").fetchone()[0] == 3
        db.execute("UPDATE django_q_ormq SET lock = '2000-01-01 00:00:00'")
    for marker in markers.values():
        marker.with_name(marker.name + ".release").touch()
    worker = start(tmp_path, "worker")
    try:
        with sqlite3.connect(tmp_path / "cityloop.sqlite3", timeout=30) as db:
            wait_for(
                lambda: db.execute("SELECT count(*) FROM django_q_ormq").fetchone()[0] == 0,
                60,
                "the jobs to run again and be acknowledged",
            )
        assert seconds_to_stop(worker, "group") < STOPS_WITHIN
    finally:
        assert clean_up(worker.pid) == []
    for marker in markers.values():
        assert marker.read_text() == "start\nstart\ndone\n"


def serve_until_running(data_dir: Path) -> subprocess.Popen[str]:
    """Start `serve` and wait until it answers and its worker's cluster is complete."""
    server = start(data_dir, "serve", "--no-demo", "--workers", "1", "--port", str(free_port()))
    assert server.stdout is not None
    output = ""
    deadline = time.monotonic() + 240
    while "running at" not in output and time.monotonic() < deadline:
        line = server.stdout.readline()
        if not line and server.poll() is not None:
            pytest.fail(f"serve exited: {output}")
        output += line
    url = output.rsplit("running at ", 1)[1].split()[0]
    wait_for(lambda: answers(url), 60, "the server to answer")
    # serve, its gunicorn worker, and the job worker: main, sentinel, 2 workers, pusher, monitor
    wait_for(lambda: len(session_members(server.pid)) >= 8, 60, "the job worker to start")
    return server


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "track/", timeout=5) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def test_a_stopped_server_leaves_no_worker_behind(tmp_path):
    for to in ("process", "group", "session"):
        server = serve_until_running(tmp_path)
        try:
            took = seconds_to_stop(server, to)
            time.sleep(0.5)
        finally:
            left = clean_up(server.pid)
        assert server.returncode is not None, f"TERM to the {to}: serve did not stop"
        assert took < STOPS_WITHIN, f"TERM to the {to}: {took:.1f} s"
        assert left == [], f"TERM to the {to}: serve left {len(left)} processes"

    # Even a server killed outright does not leave its worker running for long.
    server = serve_until_running(tmp_path)
    try:
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        wait_for(lambda: session_members(server.pid) == [], STOPS_WITHIN, "the worker to stop")
    finally:
        clean_up(server.pid)
