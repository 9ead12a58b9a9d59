"""A demo build killed half-way: running `cityloop demo` again, or starting `cityloop serve`,
gives the same database a build on an empty one gives, with the model trained."""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.apps import apps

from cityloop.testing import cli_env, free_port
from tests.cli.test_commands import run_cli

pytestmark = pytest.mark.once

BUILD = ["--appeals", "200", "--streets-per-district", "1", "--days", "20"]
BUILD += ["--end", "2026-01-31", "--seed", "7"]
# Rows that record the build itself or the server's own bookkeeping, not the city.
OWN_BOOKKEEPING = {"demo_demobuild", "django_session"}


def database(data_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(data_dir / "cityloop.sqlite3", timeout=30)


def fingerprint(data_dir: Path) -> dict[str, object]:
    """The number of rows in every table, and the appeals and events themselves."""
    with database(data_dir) as db:
        counts = {
            table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for table in sorted({m._meta.db_table for m in apps.get_models()})
            if table not in OWN_BOOKKEEPING
        }
        appeals = db.execute(
            "SELECT tracking_code, status, version, title, received_at, main_unit_id "
            "FROM appeals_appeal ORDER BY tracking_code"
        ).fetchall()
        events = db.execute(
            "SELECT appeal_id, seq, action, at FROM appeals_appealevent ORDER BY appeal_id, seq"
        ).fetchall()
    return {"counts": counts, "appeals": appeals, "events": events}


def orphans(data_dir: Path) -> dict[str, int]:
    with database(data_dir) as db:
        return {
            "incidents without appeals": db.execute(
                "SELECT count(*) FROM demo_demoincident i WHERE NOT EXISTS "
                "(SELECT 1 FROM demo_demoappealtruth t WHERE t.incident_id = i.id)"
            ).fetchone()[0],
            "appeals without their receive event": db.execute(
                "SELECT count(*) FROM appeals_appeal a WHERE NOT EXISTS (SELECT 1 FROM "
                "appeals_appealevent e WHERE e.appeal_id = a.id AND e.action = 'receive')"
            ).fetchone()[0],
        }


def count(data_dir: Path, table: str) -> int:
    with database(data_dir) as db:
        return int(db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])


def kill_demo_when(data_dir: Path, ready: Callable[[str], bool]) -> str:
    """Start `cityloop demo`, SIGKILL it as soon as `ready(output so far)` and return what it
    had printed."""
    log = data_dir / "demo.log"
    with log.open("w") as out:
        demo = subprocess.Popen(
            [sys.executable, "-m", "cityloop", "demo", *BUILD],
            env=cli_env(data_dir),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and demo.poll() is None:
            try:
                if ready(log.read_text()):
                    break
            except sqlite3.OperationalError:
                pass  # no such table yet: still migrating
            time.sleep(0.05)
        assert demo.poll() is None, "the build ended before it could be killed half-way"
        demo.send_signal(signal.SIGKILL)
    finally:
        demo.kill()
        demo.wait(30)
    return log.read_text()


def test_a_killed_demo_build_is_rebuilt_cleanly_by_demo_and_by_serve(tmp_path):
    clean_dir, crash_dir = tmp_path / "clean", tmp_path / "crash"
    clean_dir.mkdir()
    crash_dir.mkdir()
    built = run_cli(clean_dir, "demo", *BUILD)
    assert built.returncode == 0, built.stderr
    clean = fingerprint(clean_dir)
    assert clean["counts"]["appeals_appeal"] == 200  # type: ignore[index]
    assert clean["counts"]["classify_classifiermodel"] == 1  # type: ignore[index]

    # 1. Killed while writing appeals: the incidents are there, not (all) their appeals.
    kill_demo_when(crash_dir, lambda _: count(crash_dir, "demo_demoincident") > 0)
    assert count(crash_dir, "classify_classifiermodel") == 0, "killed before the end"
    assert count(crash_dir, "appeals_appeal") < 200
    rerun = run_cli(crash_dir, "demo", *BUILD)
    assert rerun.returncode == 0, rerun.stderr
    assert "appeals: 200" in rerun.stdout
    assert fingerprint(crash_dir) == clean
    assert set(orphans(crash_dir).values()) == {0}

    # 2. A new build over the finished one, killed while training the model: `serve` finishes
    # it (with the parameters it was given, not serve's own) before it starts serving.
    printed = kill_demo_when(crash_dir, lambda output: "model" in output)
    assert "appeals      [" in printed
    assert count(crash_dir, "classify_classifiermodel") == 0, "killed before the model"
    server = subprocess.Popen(
        [sys.executable, "-m", "cityloop", "serve", "--no-worker", "--port", str(free_port())],
        env=cli_env(crash_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        output = ""
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and "running at" not in output:
            line = server.stdout.readline()
            if not line and server.poll() is not None:
                pytest.fail(f"serve exited: {output}")
            output += line
        assert re.search(r"running at http://127\.0\.0\.1:\d+/", output), output
        assert "did not finish" in output
        assert fingerprint(crash_dir) == clean
        assert set(orphans(crash_dir).values()) == {0}
    finally:
        server.terminate()
        server.wait(30)


def test_demo_never_replaces_a_database_it_did_not_build(tmp_path):
    seeded = run_cli(tmp_path, "seed")
    assert seeded.returncode == 0, seeded.stderr
    own_city = (
        "from cityloop.geo.models import Area; "
        "Area.objects.create(code='110999', name='自建区', level='district', polygon=[])"
    )
    made = run_cli(tmp_path, "manage", "shell", "-c", own_city)
    assert made.returncode == 0, made.stderr
    refused = run_cli(tmp_path, "demo", *BUILD)
    assert refused.returncode != 0
    assert "did not build" in refused.stderr and "nothing was changed" in refused.stderr
    with database(tmp_path) as db:
        assert db.execute("SELECT name FROM geo_area").fetchall() == [("自建区",)]
        assert db.execute("SELECT count(*) FROM demo_demobuild").fetchone()[0] == 0
