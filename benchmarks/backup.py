"""`cityloop backup` and `cityloop restore` on a demo city: time, size, throughput.

Builds the demo city (--appeals, in a fresh data folder) with --files attachment-sized files
of random bytes under its media folder, takes a backup with the CLI, restores it into
another fresh data folder, and prints the figures. With --pg-server the same runs on
PostgreSQL (two databases made on that server and dropped afterwards).

Usage:
  python benchmarks/backup.py [--appeals 3000] [--files 300] [--pg-server postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

REPO = Path(__file__).resolve().parent.parent
FILE_BYTES = 300_000  # a phone photo after the portal's resize, roughly


def cityloop(data_dir: Path, database_url: str, *args: str) -> tuple[float, dict[str, object]]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "CITYLOOP_DATA_DIR": str(data_dir)}
    env.pop("CITYLOOP_DATABASE_URL", None)
    if database_url:
        env["CITYLOOP_DATABASE_URL"] = database_url
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "cityloop", *args], env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"cityloop {args[0]} failed: {done.stderr.strip().splitlines()[-1:]}")
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "{}"
    return seconds, json.loads(last) if last.startswith("{") else {}


def add_files(data_dir: Path, count: int) -> None:
    folder = data_dir / "media" / "attachments" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"photo{n}.jpg").write_bytes(os.urandom(FILE_BYTES))


def one_run(label: str, appeals: int, files: int, source_url: str, target_url: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "source", Path(folder) / "target"
        built, _ = cityloop(source, source_url, "demo", "--appeals", str(appeals), "--days", "60")
        add_files(source, files)
        backup = Path(folder) / "city.tar"
        took, taken = cityloop(source, source_url, "backup", "--output", str(backup))
        put, restored = cityloop(target, target_url, "restore", str(backup))
        size = backup.stat().st_size / 2**20
        print(f"== {label}: demo city of {appeals} appeals built in {built:.0f} s")
        print(
            f"   holds {taken['appeals']} appeals, {taken['events']} events, "
            f"{taken['media_files']} media files ({int(taken['media_bytes']) / 2**20:.0f} MiB)"
        )
        print(
            f"   backup : {took:6.1f} s wall (CLI start included), {size:.0f} MiB, "
            f"{size / took:.0f} MiB/s; inside the command {taken['seconds']} s"
        )
        print(
            f"   restore: {put:6.1f} s wall (checksums, database, files, counts), "
            f"{size / put:.0f} MiB/s; inside the command {restored['seconds']} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appeals", type=int, default=3000)
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--pg-server", default="", help="postgresql://… of a server to use")
    args = parser.parse_args()
    one_run("SQLite", args.appeals, args.files, "", "")
    if not args.pg_server:
        return
    import psycopg

    names = [f"cityloop_bench_backup_{side}_{uuid.uuid4().hex[:8]}" for side in "st"]
    urls = [urlunparse(urlparse(args.pg_server)._replace(path=f"/{name}")) for name in names]
    with psycopg.connect(args.pg_server, autocommit=True) as admin:
        try:
            for name in names:
                admin.execute(f'CREATE DATABASE "{name}"')
            one_run("PostgreSQL", args.appeals, args.files, urls[0], urls[1])
        finally:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
