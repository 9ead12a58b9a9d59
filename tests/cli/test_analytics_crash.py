"""`cityloop analytics export` killed half-way (SIGKILL, in the middle of a month): the store
holds whole files only, the next run finishes what was left and every appeal, callback and
event is in the store exactly once."""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cityloop.testing import cli_env
from tests.cli.test_commands import run_cli

pytestmark = pytest.mark.once

BUILD = ["--appeals", "300", "--streets-per-district", "1", "--days", "100"]
BUILD += ["--end", "2026-03-31", "--seed", "7"]


def record_counts(data_dir: Path) -> dict[str, int]:
    with sqlite3.connect(data_dir / "cityloop.sqlite3") as db:
        return {
            table: db.execute(f"SELECT count(*) FROM {source}").fetchone()[0]
            for table, source in (
                ("appeals", "appeals_appeal"),
                ("callbacks", "evaluate_callback"),
                ("events", "appeals_appealevent"),
            )
        }


def store_counts(data_dir: Path) -> dict[str, tuple[int, int]]:
    """Each table's rows and distinct ids, as `cityloop analytics query` prints them."""
    found = {}
    for table in ("appeals", "callbacks", "events"):
        done = run_cli(
            data_dir, "analytics", "query", f"SELECT count(*), count(DISTINCT id) FROM {table}"
        )
        assert done.returncode == 0, done.stderr
        _header, row = done.stdout.strip().splitlines()
        rows, distinct = (int(n) for n in row.split(","))
        found[table] = (rows, distinct)
    return found


def kill_export_when(data_dir: Path, marker: str) -> str:
    """Start the export with a pause after each file it renames into place; SIGKILL it once
    its progress shows `marker`; return what it had printed."""
    log = data_dir / "export.log"
    env = {**cli_env(data_dir), "CITYLOOP_ANALYTICS_PAUSE_SECONDS": "3"}
    with log.open("w") as out:
        export = subprocess.Popen(
            [sys.executable, "-m", "cityloop", "analytics", "export"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        try:
            while marker not in log.read_text() and time.monotonic() < deadline:
                assert export.poll() is None, log.read_text()
                time.sleep(0.1)
        finally:
            export.send_signal(signal.SIGKILL)
            export.wait(10)
    printed = log.read_text()
    assert marker in printed, printed
    return printed


def test_a_killed_export_is_completed_by_the_next_run(tmp_path):
    built = run_cli(tmp_path, "demo", *BUILD, timeout=600)
    assert built.returncode == 0, built.stderr
    shutil.rmtree(tmp_path / "analytics")  # the demo exports its store: start from none
    in_record = record_counts(tmp_path)

    # killed after the second month's appeals file, before its callbacks and events
    printed = kill_export_when(tmp_path, "2026-01: wrote appeals")
    assert "2025-12: done" in printed
    manifest = json.loads((tmp_path / "analytics" / "manifest.json").read_text())
    assert sorted(manifest["months"]) == ["2025-12"]
    store = tmp_path / "analytics"
    assert (store / "appeals" / "month=2026-01" / "part.parquet").exists()
    assert not (store / "callbacks" / "appeal_month=2026-01" / "part.parquet").exists()

    finished = run_cli(tmp_path, "analytics", "export")
    assert finished.returncode == 0, finished.stderr
    summary = json.loads(finished.stdout)
    # the month finished before the kill is not exported again; the one cut off is, whole
    assert "2025-12" not in summary["months_exported"]
    assert summary["months_exported"][0] == "2026-01"
    assert store_counts(tmp_path) == {table: (n, n) for table, n in in_record.items()}

    again = run_cli(tmp_path, "analytics", "export")
    assert json.loads(again.stdout)["months_exported"] == []


def test_a_query_that_is_not_a_select_is_refused(tmp_path):
    assert run_cli(tmp_path, "seed").returncode == 0
    refused = run_cli(tmp_path, "analytics", "query", "COPY appeals TO 'leak.csv'")
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "cityloop analytics: only a single SELECT statement is allowed"
    )
    assert not (tmp_path / "leak.csv").exists()
