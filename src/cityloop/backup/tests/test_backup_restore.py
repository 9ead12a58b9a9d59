"""`cityloop backup`, then `cityloop restore` into a fresh data folder and database, as an
operator runs them (subprocesses): every appeal, event and attachment comes back, column for
column and byte for byte; a damaged file or an occupied database is refused untouched."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tarfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import pytest

from cityloop.testing import cli_env

pytestmark = pytest.mark.once

TABLES = ("appeals_appeal", "appeals_appealevent", "appeals_attachment")
PG_URL = os.environ.get("CITYLOOP_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def env_for(data_dir: Path, database_url: str = "") -> dict[str, str]:
    env = cli_env(data_dir)
    env["CITYLOOP_REPLY_GATE"] = "warn"  # the city's placeholder replies predate the gate
    if database_url:
        env["CITYLOOP_DATABASE_URL"] = database_url
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], env=env, text=True, capture_output=True, timeout=180
    )


def cityloop(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run(env, "cityloop", *args)


def build_city(env: dict[str, str]) -> None:
    built = run(env, "cityloop.backup.tests.city", "build")
    assert built.returncode == 0, built.stderr


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_all(connect: Callable[[], Any], media_root: Path) -> dict[str, Any]:
    """Every row of the three tables, all columns, and each attachment's file hash."""
    found: dict[str, Any] = {}
    with closing(connect()) as db:
        cursor = db.cursor()
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {table} ORDER BY id")
            columns = [column[0] for column in cursor.description]
            found[table] = (columns, cursor.fetchall())
    columns, rows = found["appeals_attachment"]
    file_at = columns.index("file")
    found["files"] = {
        row[file_at]: sha256(media_root / row[file_at])
        if (media_root / row[file_at]).is_file()
        else None
        for row in rows
    }
    return found


def sqlite_of(data_dir: Path) -> Callable[[], sqlite3.Connection]:
    return lambda: sqlite3.connect(data_dir / "cityloop.sqlite3", timeout=30)


def refusal(done: subprocess.CompletedProcess[str]) -> str:
    """A refused command's one line on stderr (exit status 2, nothing on stdout)."""
    assert done.returncode == 2, (done.returncode, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and not done.stdout, done.stderr
    return lines[0]


@pytest.fixture(scope="module")
def sqlite_backup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A source city on SQLite and its backup, taken to the default place."""
    source = tmp_path_factory.mktemp("source")
    env = env_for(source)
    build_city(env)
    done = cityloop(env, "backup")
    assert done.returncode == 0, done.stderr
    backups = list((source / "backups").iterdir())
    assert len(backups) == 1 and backups[0].name.startswith("cityloop-backup-"), backups
    assert backups[0].suffix == ".tar" and str(backups[0]) in done.stdout
    return source, backups[0]


def test_a_restore_gives_back_every_appeal_event_and_attachment(sqlite_backup, tmp_path):
    source, backup = sqlite_backup
    restored = cityloop(env_for(tmp_path), "restore", str(backup))
    assert restored.returncode == 0, restored.stderr

    before = read_all(sqlite_of(source), source / "media")
    after = read_all(sqlite_of(tmp_path), tmp_path / "media")
    statuses = {row[before["appeals_appeal"][0].index("status")] for row in before[TABLES[0]][1]}
    assert statuses == {"received", "dispatched", "replied", "closed", "deferred"}
    assert len(before["files"]) == 4 and None not in before["files"].values()
    for table in TABLES:
        assert after[table] == before[table], table
    assert after["files"] == before["files"]
    assert '"appeals": 5' in restored.stdout and '"attachments": 4' in restored.stdout

    with tarfile.open(backup) as tar:
        names = tar.getnames()
    assert names[0] == "database/cityloop.sqlite3" and names[-1] == "manifest.json"
    assert len([name for name in names if name.startswith("media/")]) == 4


def test_a_truncated_or_damaged_backup_is_refused_and_changes_nothing(sqlite_backup, tmp_path):
    _, backup = sqlite_backup
    data = backup.read_bytes()
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(data[: len(data) // 2])
    damaged = tmp_path / "damaged.tar"
    damaged.write_bytes(data[:5000] + bytes([data[5000] ^ 1]) + data[5001:])
    target = tmp_path / "target"

    for bad, reason in [(truncated, "truncated"), (damaged, "checksum mismatch")]:
        refused = cityloop(env_for(target), "restore", str(bad))
        assert reason in refusal(refused)
        assert not (target / "cityloop.sqlite3").exists()
        assert not (target / "media").exists()
        assert [path.name for path in target.iterdir()] == []  # no staging left behind


def test_a_sqlite_backup_is_not_restored_into_postgresql(sqlite_backup, tmp_path):
    """Refused before any connection: the vendor is the configuration's (no server needed)."""
    _, backup = sqlite_backup
    env = env_for(tmp_path, "postgresql://nobody@127.0.0.1:9/nowhere")
    crossed = refusal(cityloop(env, "restore", str(backup), "--force"))
    assert "sqlite database and the configured database is postgresql" in crossed
    assert "dumpdata" in crossed
    assert [path.name for path in tmp_path.iterdir()] == []


def test_a_database_with_appeals_is_replaced_only_with_force(sqlite_backup, tmp_path):
    source, backup = sqlite_backup
    env = env_for(tmp_path)
    assert cityloop(env, "restore", str(backup)).returncode == 0
    with closing(sqlite_of(tmp_path)()) as db, db:
        db.execute("UPDATE appeals_appeal SET content = 'changed since the backup'")
    database_bytes = sha256(tmp_path / "cityloop.sqlite3")

    refused = refusal(cityloop(env, "restore", str(backup)))
    assert "already holds 5 appeals" in refused and "--force" in refused
    assert sha256(tmp_path / "cityloop.sqlite3") == database_bytes

    with closing(sqlite_of(tmp_path)()) as server:  # as a running server holds it open
        server.execute("SELECT count(*) FROM appeals_appeal").fetchone()
        busy = refusal(cityloop(env, "restore", str(backup), "--force"))
    assert "in use" in busy and "stop `cityloop serve`" in busy
    assert sha256(tmp_path / "cityloop.sqlite3") == database_bytes

    forced = cityloop(env, "restore", str(backup), "--force")
    assert forced.returncode == 0, forced.stderr
    assert read_all(sqlite_of(tmp_path), tmp_path / "media") == read_all(
        sqlite_of(source), source / "media"
    )


def test_a_backup_killed_half_way_leaves_nothing_that_looks_complete(sqlite_backup, tmp_path):
    source, _ = sqlite_backup
    data_dir = tmp_path / "city"
    shutil.copytree(source, data_dir, ignore=shutil.ignore_patterns("backups"))
    bulk = data_dir / "media" / "bulk"
    bulk.mkdir()
    for n in range(200):  # enough bytes that the kill lands while the files are copied
        (bulk / f"{n}.jpg").write_bytes(os.urandom(2**20))
    output = tmp_path / "out" / "killed.tar"
    backup = subprocess.Popen(
        [sys.executable, "-m", "cityloop", "backup", "--output", str(output)],
        env=env_for(data_dir),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert backup.stderr is not None
        for line in backup.stderr:
            if "database copied" in line:
                break
        assert backup.poll() is None, "the backup ended before it could be killed"
        backup.send_signal(signal.SIGKILL)
    finally:
        backup.kill()
        backup.wait(30)
    assert not output.exists()
    (partial,) = output.parent.glob(".killed.tar.partial")
    assert "truncated" in refusal(cityloop(env_for(tmp_path / "target"), "restore", str(partial)))


def wait_for_lines(log: Path, count: int, writer: subprocess.Popen[str]) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        written = len(log.read_text().splitlines())
        if written >= count:
            return written
        assert writer.poll() is None, "the writer stopped"
        time.sleep(0.05)
    pytest.fail(f"the writer did not write {count} appeals")


def test_a_backup_taken_while_appeals_are_written_restores_consistently(sqlite_backup, tmp_path):
    source, _ = sqlite_backup
    busy = tmp_path / "busy"
    shutil.copytree(source, busy, ignore=shutil.ignore_patterns("backups"))
    env = env_for(busy)
    log, stop = tmp_path / "writer.log", tmp_path / "stop"
    with log.open("w") as out:
        writer = subprocess.Popen(
            [sys.executable, "-m", "cityloop.backup.tests.city", "write", str(stop)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        before = wait_for_lines(log, 5, writer)
        taken = cityloop(env, "backup", "--output", str(tmp_path / "busy.tar"))
        after_backup = len(log.read_text().splitlines())
        wait_for_lines(log, after_backup + 5, writer)  # still writing after the backup
    finally:
        stop.touch()
        writer.wait(60)
    assert taken.returncode == 0, taken.stderr

    target = tmp_path / "target"
    restored = cityloop(env_for(target), "restore", str(tmp_path / "busy.tar"))
    assert restored.returncode == 0, restored.stderr
    with closing(sqlite_of(target)()) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        ids = [row[0] for row in db.execute("SELECT id FROM appeals_appeal ORDER BY id")]
        # each appeal with its whole recorded history: events numbered 1..n, no gaps
        gaps = db.execute(
            "SELECT appeal_id FROM appeals_appealevent GROUP BY appeal_id "
            "HAVING min(seq) != 1 OR max(seq) != count(*)"
        ).fetchall()
        without_events = db.execute(
            "SELECT count(*) FROM appeals_appeal a WHERE NOT EXISTS "
            "(SELECT 1 FROM appeals_appealevent e WHERE e.appeal_id = a.id)"
        ).fetchone()[0]
    assert 5 + before <= len(ids) <= 5 + after_backup
    assert ids == list(range(1, len(ids) + 1)), "a prefix of what was written, no holes"
    assert gaps == [] and without_events == 0

    written = read_all(sqlite_of(busy), busy / "media")
    restored_rows = read_all(sqlite_of(target), target / "media")
    for table in ("appeals_appealevent", "appeals_attachment"):  # never changed once written
        assert set(restored_rows[table][1]) <= set(written[table][1]), table
    assert restored_rows["files"].items() <= written["files"].items()
    assert None not in restored_rows["files"].values()


def _pg_url(database: str) -> str:
    return urlunparse(urlparse(PG_URL)._replace(path=f"/{database}"))


@pytest.fixture
def pg_databases() -> Iterator[tuple[str, str]]:
    """Two new, empty PostgreSQL databases (source, target), dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        if os.environ.get("CITYLOOP_REQUIRE_PG") == "1":
            pytest.fail(f"PostgreSQL not reachable at {PG_URL}: {error}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    names = [f"cityloop_backup_{side}_{uuid.uuid4().hex[:10]}" for side in ("source", "target")]
    try:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
        yield _pg_url(names[0]), _pg_url(names[1])
    finally:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_a_postgresql_backup_restores_into_a_fresh_database(pg_databases, tmp_path):
    import psycopg

    source_url, target_url = pg_databases
    source, target = tmp_path / "source", tmp_path / "target"
    build_city(env_for(source, source_url))
    taken = cityloop(env_for(source, source_url), "backup", "--output", str(tmp_path))
    assert taken.returncode == 0, taken.stderr
    (backup,) = tmp_path.glob("cityloop-backup-*.tar")

    restored = cityloop(env_for(target, target_url), "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    before = read_all(lambda: psycopg.connect(source_url), source / "media")
    after = read_all(lambda: psycopg.connect(target_url), target / "media")
    assert len(before["appeals_appeal"][1]) == 5 and len(before["files"]) == 4
    assert None not in before["files"].values()
    for table in TABLES:
        assert after[table] == before[table], table
    assert after["files"] == before["files"]

    again = cityloop(env_for(target, target_url), "restore", str(backup))
    assert "already holds 5 appeals" in refusal(again)
