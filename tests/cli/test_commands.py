"""The command line as a newcomer runs it: its own database, a demo city, a live server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def run_cli(tmp_path: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CITYLOOP_DATA_DIR": str(tmp_path)}
    env.pop("CITYLOOP_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "cityloop", *args],
        env=env,
        text=True,
        capture_output=True,
        timeout=timeout,
        check=False,
    )


def test_demo_command_builds_a_city(tmp_path):
    done = run_cli(
        tmp_path, "demo", "--appeals", "120", "--streets-per-district", "1", "--days", "20"
    )
    assert done.returncode == 0, done.stderr
    assert "appeals: 120" in done.stdout and "districts: 16" in done.stdout
    assert "appeals      [" in done.stdout, "long work shows progress"
    assert (tmp_path / "cityloop.sqlite3").exists()


def test_serve_prints_its_address_and_answers(tmp_path):
    env = {**os.environ, "CITYLOOP_DATA_DIR": str(tmp_path)}
    env.pop("CITYLOOP_DATABASE_URL", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cityloop",
            "serve",
            "--port",
            "18931",
            "--no-worker",
            "--demo-appeals",
            "150",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = None
        deadline = time.time() + 240
        assert server.stdout is not None
        while time.time() < deadline and url is None:
            line = server.stdout.readline()
            if not line and server.poll() is not None:
                pytest.fail("server exited")
            found = re.search(r"running at (http://127\.0\.0\.1:\d+/)", line)
            url = found.group(1) if found else None
        assert url, "the address is printed"
        for _ in range(60):
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    page = response.read().decode()
                break
            except OSError:
                time.sleep(0.5)
        assert "今日受理" in page
        with urllib.request.urlopen(url + "track/", timeout=5) as response:
            assert "查询码" in response.read().decode()
    finally:
        server.terminate()
        server.wait(20)
