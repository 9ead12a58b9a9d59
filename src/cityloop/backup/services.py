"""`take_backup` and `restore_backup`: what `cityloop backup` and `cityloop restore` do.

A backup holds the database, every file under MEDIA_ROOT (the attachments) and the
manifest. The analytics Parquet store is left out: it is derived from the database and
rebuilt by `cityloop analytics export --full`. The database is copied first, the files
after: an attachment's file is written before its row commits and never changed, so every
row in the copy finds its file (files added later are carried along, unreferenced)."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, connections

from cityloop import __version__
from cityloop.backup import postgres
from cityloop.backup import sqlite as embedded
from cityloop.backup.archive import (
    DATABASE_DIR,
    FORMAT,
    FORMAT_VERSION,
    MEDIA_DIR,
    ArchiveWriter,
    staged,
    unpack,
)

Progress = Callable[[str], None]
LEFT_OUT = {
    "analytics": "the analytics Parquet store is derived from the database: "
    "rebuild it with `cityloop analytics export --full`"
}
_DATABASE_MEMBER = {"sqlite": "cityloop.sqlite3", "postgresql": "cityloop.pgdump"}
_MEDIA_PROGRESS_EVERY = 500
_SAY_CHECKING_FROM = 2**30


class Refused(Exception):
    """Nothing was done: the reason, one line."""


class RestoreMismatch(Exception):
    """The restore ran but the database does not hold what the manifest says."""


def _tables() -> dict[str, str]:
    from cityloop.appeals.models import Appeal, AppealEvent
    from cityloop.handling.models import Attachment

    return {
        "appeals": Appeal._meta.db_table,
        "events": AppealEvent._meta.db_table,
        "attachments": Attachment._meta.db_table,
    }


def describe(cursor: Any) -> dict[str, Any]:
    """Counts, the last applied migration of each app and the attachment files, read
    through any DB-API cursor (the SQLite copy, the PostgreSQL snapshot, the restored DB)."""
    counts = {}
    for key, table in _tables().items():
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # table names come from the models
        counts[key] = int(cursor.fetchone()[0])
    migrations: dict[str, str] = {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY applied, id")
    for app, name in cursor.fetchall():
        migrations[app] = name
    cursor.execute(f'SELECT file FROM "{_tables()["attachments"]}" ORDER BY id')
    files = [row[0] for row in cursor.fetchall()]
    return {"counts": counts, "migrations": migrations, "files": files}


def resolve_output(output: str | None, now: datetime) -> Path:
    """Where the backup goes: a named file, a file named by the time in a named folder, or
    by default in DATA_DIR/backups."""
    name = f"cityloop-backup-{now.strftime('%Y%m%dT%H%M%SZ')}.tar"
    if not output:
        return Path(settings.DATA_DIR) / "backups" / name
    path = Path(output).expanduser().resolve()
    if path.is_dir() or output.endswith(("/", "\\")):
        path = path / name
    if path.exists():
        raise Refused(f"{path} already exists: name another file")
    return path


def _snapshot_database(folder: Path, progress: Progress) -> tuple[Path, dict[str, Any]]:
    vendor = connection.vendor
    if vendor not in _DATABASE_MEMBER:
        raise Refused(f"cannot back up a {vendor} database")
    target = folder / _DATABASE_MEMBER[vendor]
    progress(f"copying the {vendor} database…")
    try:
        if vendor == "sqlite":
            if not _sqlite_file().is_file():
                raise Refused(f"no database at {_sqlite_file()}: nothing to back up")
            embedded.snapshot(_sqlite_file(), target)
            with sqlite3.connect(target) as copy:
                described = describe(copy.cursor())
            copy.close()
            described["database"] = {"vendor": vendor, "sqlite_version": sqlite3.sqlite_version}
        else:
            described, major = postgres.dump(target, describe)
            described["database"] = {"vendor": vendor, "server_major": major}
    except (DatabaseError, sqlite3.DatabaseError) as error:
        problem = f"cannot read the database ({error}); is it set up (`cityloop seed`)?"
        raise Refused(problem) from None
    except postgres.ToolFailed as failed:
        raise Refused(str(failed)) from None
    described["database"]["member"] = f"{DATABASE_DIR}/{target.name}"
    progress(f"database copied ({target.stat().st_size / 2**20:.1f} MiB)")
    return target, described


def _sqlite_file() -> Path:
    return Path(str(settings.DATABASES["default"]["NAME"]))


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


def take_backup(output: Path, progress: Progress) -> dict[str, Any]:
    """The backup file at `output`; a summary of what it holds."""
    started = time.monotonic()
    now = datetime.now(UTC)
    media_root = Path(settings.MEDIA_ROOT)
    with (
        ArchiveWriter(output) as archive,
        tempfile.TemporaryDirectory(prefix=".cityloop-backup-", dir=output.parent) as folder,
    ):
        database_file, described = _snapshot_database(Path(folder), progress)
        archive.add_file(database_file, described["database"]["member"])
        database_file.unlink()
        files = _media_files()
        media_bytes = 0
        for done, path in enumerate(files, 1):
            media_bytes += archive.add_file(
                path, f"{MEDIA_DIR}/{path.relative_to(media_root).as_posix()}"
            )
            if done % _MEDIA_PROGRESS_EVERY == 0 or done == len(files):
                progress(f"media files: {done}/{len(files)}")
        missing = [name for name in described["files"] if not (media_root / name).is_file()]
        if missing:
            progress(f"warning: {len(missing)} attachment file(s) missing, e.g. {missing[0]}")
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "cityloop_version": __version__,
            "created_at": now.isoformat(),
            "created_epoch": int(now.timestamp()),
            "database": described["database"],
            "migrations": described["migrations"],
            "counts": described["counts"],
            "media_files": len(files),
            "missing_attachment_files": missing,
            "left_out": LEFT_OUT,
        }
        path = archive.finish(manifest)
    return {
        "backup": str(path),
        "bytes": path.stat().st_size,
        "vendor": described["database"]["vendor"],
        **described["counts"],
        "media_files": len(files),
        "media_bytes": media_bytes,
        "missing_attachment_files": len(missing),
        "seconds": round(time.monotonic() - started, 2),
    }


def _appeals_in_target() -> int:
    table = _tables()["appeals"]
    try:
        if table not in connection.introspection.table_names():
            return 0
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            return int(cursor.fetchone()[0])
    finally:
        connections.close_all()


def _unknown_migrations(applied: dict[str, str]) -> list[str]:
    from django.db.migrations.loader import MigrationLoader

    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    return [f"{app}.{name}" for app, name in sorted(applied.items()) if (app, name) not in known]


def _check_target(manifest: dict[str, Any], force: bool) -> None:
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise Refused(
            f"this backup holds a {vendor} database and the configured database is "
            f"{connection.vendor}: moving between vendors is `cityloop manage dumpdata` / "
            "`loaddata`, not restore"
        )
    unknown = _unknown_migrations(manifest["migrations"])
    if unknown:
        raise Refused(
            f"the backup comes from a newer cityloop (migration {unknown[0]} is unknown here)"
        )
    appeals = _appeals_in_target()
    if appeals and not force:
        raise Refused(
            f"the target database already holds {appeals} appeals: "
            "restore with --force to replace it"
        )
    if vendor == "sqlite":
        try:
            embedded.refuse_if_in_use(_sqlite_file())  # again when swapping, this says why early
        except embedded.InUse as in_use:
            raise Refused(str(in_use)) from None


def _pending_migrations() -> int:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def restore_backup(source: Path, *, force: bool, progress: Progress) -> dict[str, Any]:
    """Check every member of `source`, then put its database and files in place."""
    if not source.is_file():
        raise Refused(f"no such file: {source}")
    started = time.monotonic()
    with staged(Path(settings.DATA_DIR)) as staging:
        size = source.stat().st_size
        if size >= _SAY_CHECKING_FROM:  # small files check in a moment: a refusal stays one line
            progress(f"checking the checksums of {size / 2**30:.1f} GiB…")
        unpacked = unpack(source, staging)
        manifest = unpacked.manifest
        _check_target(manifest, force)
        database = manifest["database"]
        progress(f"restoring the {database['vendor']} database…")
        try:
            if database["vendor"] == "sqlite":
                connections.close_all()
                embedded.install(
                    unpacked.path(database["member"]),
                    _sqlite_file(),
                )
            else:
                postgres.restore(unpacked.path(database["member"]), database["server_major"])
        except embedded.InUse as in_use:
            raise Refused(str(in_use)) from None
        except postgres.ToolFailed as failed:
            raise Refused(str(failed)) from None
        media_root = Path(settings.MEDIA_ROOT)
        restored_files = 0
        for relative, staged_file in unpacked.media():
            target = media_root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(staged_file, target)
            restored_files += 1
        progress(f"media files: {restored_files}")
    with connection.cursor() as cursor:
        found = describe(cursor)
    if found["counts"] != manifest["counts"]:
        raise RestoreMismatch(
            f"restored, but the database holds {found['counts']}, "
            f"the backup says {manifest['counts']}"
        )
    missing = [name for name in found["files"] if not (media_root / name).is_file()]
    summary = {
        "restored": str(source),
        "created_at": manifest["created_at"],
        "vendor": database["vendor"],
        **found["counts"],
        "media_files": restored_files,
        "missing_attachment_files": len(missing),
        "pending_migrations": _pending_migrations(),
        "seconds": round(time.monotonic() - started, 2),
    }
    connections.close_all()
    return summary
