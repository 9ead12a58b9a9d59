"""The backup file on its own: members come back only as the manifest lists them, a file
cut off before its end never looks complete, and a live SQLite database is not swapped."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
from pathlib import Path

import pytest

from cityloop.backup import sqlite as embedded
from cityloop.backup.archive import FORMAT, FORMAT_VERSION, ArchiveWriter, BadBackup, unpack

MANIFEST = {
    "format": FORMAT,
    "format_version": FORMAT_VERSION,
    "database": {"vendor": "sqlite", "member": "database/cityloop.sqlite3"},
    "counts": {"appeals": 1},
    "migrations": {"appeals": "0012_alter_appeal_channel"},
}


def sources(tmp_path: Path) -> dict[str, Path]:
    files = {"database/cityloop.sqlite3": b"SQLite format 3\x00" + b"x" * 5000}
    files["media/attachments/2026/12/路灯.png"] = bytes(range(256)) * 3
    paths = {}
    for name, data in files.items():
        path = tmp_path / "in" / name.replace("/", "_")
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        paths[name] = path
    return paths


def test_members_come_back_as_written(tmp_path):
    final = tmp_path / "out" / "backup.tar"
    with ArchiveWriter(final) as archive:
        for name, path in sources(tmp_path).items():
            archive.add_file(path, name)
        archive.finish(MANIFEST)
    assert final.exists() and not archive.partial.exists()

    unpacked = unpack(final, tmp_path / "staging")
    assert unpacked.manifest["counts"] == {"appeals": 1}
    for name, path in sources(tmp_path).items():
        assert unpacked.path(name).read_bytes() == path.read_bytes()
    assert [relative for relative, _ in unpacked.media()] == ["attachments/2026/12/路灯.png"]


def test_a_backup_stopped_before_its_manifest_never_looks_complete(tmp_path):
    final = tmp_path / "backup.tar"
    with pytest.raises(KeyboardInterrupt), ArchiveWriter(final) as archive:
        for name, path in sources(tmp_path).items():
            archive.add_file(path, name)
        assert archive.partial.exists() and not final.exists()
        # what a kill at this moment leaves: every member written, no manifest
        (tmp_path / "killed.tar").write_bytes(archive.partial.read_bytes())
        raise KeyboardInterrupt
    assert not final.exists() and not archive.partial.exists()
    with pytest.raises(BadBackup, match="truncated"):  # cut mid-member or before the manifest
        unpack(tmp_path / "killed.tar", tmp_path / "staging")


def _tar_with(tmp_path: Path, members: dict[str, bytes]) -> Path:
    path = tmp_path / "odd.tar"
    with tarfile.open(path, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize(
    ("members", "reason"),
    [
        ({"../escape": b"x", "manifest.json": b"{}"}, "unexpected member"),
        ({"media/a.png": b"x"}, "no manifest"),
        ({"media/a.png": b"x", "manifest.json": json.dumps(MANIFEST | {"members": {}})}, "not in"),
        ({"manifest.json": json.dumps({"format": "other"})}, "not a cityloop backup"),
        ({"manifest.json": json.dumps(MANIFEST | {"format_version": 99})}, "version 99"),
        (
            {
                "manifest.json": json.dumps(
                    MANIFEST | {"members": {"media/a.png": {"sha256": "0", "size": 1}}}
                )
            },
            "missing",
        ),
        (
            {
                "media/a.png": b"x",
                "manifest.json": json.dumps(
                    MANIFEST
                    | {
                        "database": {"vendor": "oracle", "member": "media/a.png"},
                        "members": {
                            "media/a.png": {
                                "sha256": hashlib.sha256(b"x").hexdigest(),
                                "size": 1,
                            }
                        },
                    }
                ),
            },
            "which database",
        ),
    ],
)
def test_anything_the_manifest_does_not_vouch_for_is_refused(tmp_path, members, reason):
    raw = {name: data.encode() if isinstance(data, str) else data for name, data in members.items()}
    with pytest.raises(BadBackup, match=reason):
        unpack(_tar_with(tmp_path, raw), tmp_path / "staging")


def test_an_open_sqlite_database_is_not_swapped(tmp_path):
    database = tmp_path / "cityloop.sqlite3"
    server = sqlite3.connect(database)
    server.execute("PRAGMA journal_mode=WAL")
    server.execute("CREATE TABLE t (x)")
    server.commit()
    staged = tmp_path / "restored.sqlite3"
    staged.write_bytes(b"restored")
    try:
        with pytest.raises(embedded.InUse, match="stop `cityloop serve`"):
            embedded.install(staged, database)
        assert staged.exists()
    finally:
        server.close()
    embedded.install(staged, database)  # nobody has it open any more
    assert database.read_bytes() == b"restored" and not staged.exists()


def test_many_members_round_trip(tmp_path):
    """Headers are not kept in memory as they are written and read: every member still
    comes back, in order, with its bytes."""
    files = tmp_path / "files"
    files.mkdir()
    final = tmp_path / "many.tar"
    with ArchiveWriter(final) as archive:
        for n in range(300):
            path = files / f"{n}.bin"
            path.write_bytes(str(n).encode() * (n + 1))
            archive.add_file(path, f"media/{n}.bin")
        archive.add_file(path, "database/cityloop.sqlite3")
        archive.finish(MANIFEST)
    unpacked = unpack(final, tmp_path / "staging")
    restored = dict(unpacked.media())
    assert len(restored) == 300
    assert all(restored[f"{n}.bin"].read_bytes() == str(n).encode() * (n + 1) for n in range(300))


def test_the_password_travels_in_the_environment(monkeypatch):
    from cityloop.backup import postgres

    monkeypatch.setenv("PGPASSWORD", "left over from the shell")
    env = postgres.client_env(
        {"HOST": "db.example", "PORT": "5433", "USER": "city", "PASSWORD": "s3cret", "NAME": "x"}
    )
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGPASSWORD"]) == (
        "db.example",
        "5433",
        "city",
        "s3cret",
    )
    assert "PGPASSWORD" not in postgres.client_env({"HOST": "db", "NAME": "x"})


def test_a_missing_pg_dump_of_the_servers_version_is_named():
    from cityloop.backup import postgres

    with pytest.raises(postgres.ToolFailed, match="postgresql-client-99"):
        postgres.find_tool("pg_dump", 99)
    installed = postgres._candidates("pg_dump", 15)
    if not installed:
        pytest.skip("no pg_dump on this machine")
    chosen = postgres.find_tool("pg_dump", 15)
    assert postgres._tool_major(chosen) >= 15
