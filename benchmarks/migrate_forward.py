"""A demo city built by an older main migrates forward under this one with every row intact.

Builds the demo city with the code of --from (default: the last main before the stage
records left `appeals`), fingerprints every table of the loop (row count + a hash of all
rows, read with sqlite3), migrates with this checkout, fingerprints again and reads the moved
records through this checkout's models. Prints the figures; exits 1 if any row changed.

Usage:
  python benchmarks/migrate_forward.py [--from 58c4abc] [--appeals 3000]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TABLES = [
    "appeals_appeal",
    "appeals_appealevent",
    "appeals_appealassignment",
    "appeals_extensionrequest",
    "appeals_supervisionorder",
    "appeals_attachment",
    "evaluate_callback",
    "auth_permission",
]


def fingerprint(db: Path) -> dict[str, tuple[int, str]]:
    """Row count and a hash of every row (in primary-key order) of each table of the loop."""
    with sqlite3.connect(db) as conn:
        found: dict[str, tuple[int, str]] = {}
        for table in TABLES:
            rows = conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            found[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()[:12])
        return found


def run(cmd: list[str], src: Path, data_dir: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(src), "CITYLOOP_DATA_DIR": str(data_dir)}
    started = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


READ_MOVED = """
import django; django.setup()
from cityloop.appeals.models import Appeal
from cityloop.handling.models import Attachment
from cityloop.oversight.models import ExtensionRequest, SupervisionOrder
from django.contrib.contenttypes.models import ContentType
print(ExtensionRequest.objects.count(), SupervisionOrder.objects.count(),
      Attachment.objects.count(),
      sum(a.supervision_orders.count() for a in Appeal.objects.filter(
          supervision_orders__isnull=False).distinct()),
      sorted(ContentType.objects.filter(model__in=["extensionrequest", "supervisionorder",
             "attachment"]).values_list("app_label", flat=True)))
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--from", dest="ref", default="58c4abc")
    parser.add_argument("--appeals", type=int, default=3000)
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        old_src, data_dir = Path(tmp) / "old", Path(tmp) / "data"
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", args.ref, "src"], check=True, capture_output=True
        ).stdout
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(old_src, filter="data")
        print(f"building a demo city of {args.appeals} appeals with main at {args.ref} …")
        built = run(
            [python, "-m", "cityloop", "demo", "--appeals", str(args.appeals)],
            old_src / "src",
            data_dir,
        )
        db = next(data_dir.rglob("*.sqlite3"))
        before = fingerprint(db)
        print(f"built in {built:.1f} s; migrating with this checkout …")
        migrated = run(
            [python, "-m", "cityloop", "manage", "migrate", "--no-input"], REPO / "src", data_dir
        )
        after = fingerprint(db)
        env = {**os.environ, "CITYLOOP_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO / "src")}
        env.setdefault("DJANGO_SETTINGS_MODULE", "cityloop.settings")
        read = subprocess.run(
            [python, "-c", READ_MOVED], env=env, check=True, capture_output=True, text=True
        ).stdout.strip()
    changed = [t for t in TABLES if before[t] != after[t]]
    print(f"migrate: {migrated:.1f} s")
    for table in TABLES:
        (n0, h0), (n1, h1) = before[table], after[table]
        print(f"  {table:<28} {n0:>8} rows {h0} → {n1:>8} rows {h1}")
    print(
        f"read through the new apps (extensions, orders, attachments, orders via appeals, "
        f"content types): {read}"
    )
    print("every row intact" if not changed else f"CHANGED: {', '.join(changed)}")
    return 1 if changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
