"""PostgreSQL: pg_dump and pg_restore of the server's major version, connected with the
settings of `django.db.connections['default']`. The password goes in PGPASSWORD, never on a
command line (which every user of the machine can read in the process list).

The counts in the manifest and the dump see the same data: this connection exports its
REPEATABLE READ snapshot and pg_dump reads through it (`--snapshot`)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connections, transaction


class ToolFailed(Exception):
    """pg_dump or pg_restore is missing, of the wrong version, or failed (one line)."""


def _settings() -> dict[str, Any]:
    return dict(connections["default"].settings_dict)


def client_env(settings: dict[str, Any] | None = None) -> dict[str, str]:
    """The libpq environment for the configured database."""
    settings = settings or _settings()
    env = {**os.environ}
    for variable, key in [
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ]:
        if settings.get(key):
            env[variable] = str(settings[key])
        else:
            env.pop(variable, None)
    options = settings.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    env.setdefault("PGCONNECT_TIMEOUT", "10")
    return env


def server_major(cursor: Any) -> int:
    cursor.execute("SHOW server_version_num")
    return int(cursor.fetchone()[0]) // 10000


def _tool_major(path: str) -> int | None:
    try:
        shown = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except OSError:
        return None
    found = re.search(r"\)\s*(\d+)", shown) or re.search(r"(\d+)\.", shown)
    return int(found.group(1)) if found else None


def _candidates(name: str, major: int) -> list[str]:
    paths = [f"/usr/lib/postgresql/{major}/bin/{name}"]
    pg_config = shutil.which("pg_config")
    if pg_config:
        bindir = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, timeout=20, check=False
        ).stdout.strip()
        if bindir:
            paths.append(str(Path(bindir) / name))
    on_path = shutil.which(name)
    if on_path:
        paths.append(on_path)
    return [path for path in dict.fromkeys(paths) if os.access(path, os.X_OK)]


def find_tool(name: str, major: int) -> str:
    """`name` of PostgreSQL `major`; else a newer one (it reads older servers and dumps)."""
    versions = {path: _tool_major(path) for path in _candidates(name, major)}
    for path, version in versions.items():
        if version == major:
            return path
    for path, version in versions.items():
        if version is not None and version > major:
            return path
    found = ", ".join(f"{path} ({version})" for path, version in versions.items()) or "none"
    raise ToolFailed(
        f"{name} of PostgreSQL {major} or newer not found (found: {found}); "
        f"install postgresql-client-{major}"
    )


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, env=client_env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise ToolFailed(f"{what} failed: {lines[-1] if lines else done.returncode}")


def dump(target: Path, describe: Callable[[Any], dict[str, Any]]) -> tuple[dict[str, Any], int]:
    """`pg_dump --format=custom` of the configured database into `target`; returns what
    `describe` says of the same snapshot, and the server's major version."""
    connection = connections["default"]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot_id = cursor.fetchone()[0]
        described = describe(cursor)
        major = server_major(cursor)
        pg_dump = find_tool("pg_dump", major)
        # the transaction stays open while pg_dump runs: the snapshot lives as long as it
        _run(
            [
                pg_dump,
                "--format=custom",
                "--no-password",
                f"--snapshot={snapshot_id}",
                f"--file={target}",
                str(connection.settings_dict["NAME"]),
            ],
            "pg_dump",
        )
    return described, major


def restore(dump_file: Path, dump_major: int) -> None:
    """pg_restore into the configured database, in one transaction: it fails whole."""
    with connections["default"].cursor() as cursor:
        major = server_major(cursor)
    connections.close_all()
    pg_restore = find_tool("pg_restore", max(major, dump_major))
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={_settings()['NAME']}",
            str(dump_file),
        ],
        "pg_restore",
    )
