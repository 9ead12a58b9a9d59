"""The backup file: a plain tar of the database, the media files and, last, a manifest that
names every other member with its sha256 and size.

Written under a hidden ".partial" name, fsynced, then renamed: a backup killed half-way
leaves only a ".partial" file, never one that looks complete. Read back into a staging
folder with every checksum checked before anything else happens; a member the manifest does
not list, a missing member, a changed byte or a truncated file is a `BadBackup`."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

FORMAT = "cityloop-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_DIR = "database"
MEDIA_DIR = "media"
PARTIAL_SUFFIX = ".partial"
_MANIFEST_LIMIT = 2**31  # ~150 bytes a member: room for ten million files
_CHUNK = 2**20


class BadBackup(Exception):
    """The file is not a complete, unchanged cityloop backup (one line, for the operator)."""


class _Hashing:
    """A file read through it is hashed as it is read: the bytes hashed are the bytes
    stored, even if the file on disk grows meanwhile."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.sha256.update(data)
        return data


def _forget_headers(tar: tarfile.TarFile) -> None:
    """tarfile keeps every member's header in a list as it reads or writes; with millions
    of media files that list alone would take gigabytes. Iteration reads on without it."""
    tar.members = []  # type: ignore[attr-defined]


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class ArchiveWriter:
    """Add members with `add_file`, then `finish(manifest)`; leaving the block without
    `finish` (an error, Ctrl-C) removes the partial file."""

    def __init__(self, final: Path) -> None:
        self.final = final
        self.partial = final.with_name("." + final.name + PARTIAL_SUFFIX)
        self.members: dict[str, dict[str, Any]] = {}
        self._tar: tarfile.TarFile | None = None

    def __enter__(self) -> ArchiveWriter:
        self.final.parent.mkdir(parents=True, exist_ok=True)
        self._tar = tarfile.open(self.partial, "w", format=tarfile.PAX_FORMAT)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._tar is not None:
            self._tar.close()
            self._tar = None
        self.partial.unlink(missing_ok=True)

    def add_file(self, source: Path, arcname: str) -> int:
        """Store `source` as `arcname`; its size when it was opened is what is stored."""
        assert self._tar is not None
        with source.open("rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            info = tarfile.TarInfo(arcname)
            info.size = size
            info.mtime = int(os.stat(source).st_mtime)
            info.mode = 0o644
            hashing = _Hashing(stream)
            self._tar.addfile(info, hashing)  # type: ignore[arg-type]
            _forget_headers(self._tar)
        self.members[arcname] = {"sha256": hashing.sha256.hexdigest(), "size": size}
        return size

    def finish(self, manifest: dict[str, Any]) -> Path:
        assert self._tar is not None
        body = json.dumps(
            {**manifest, "members": self.members}, ensure_ascii=False, indent=2
        ).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(body)
        info.mode = 0o644
        info.mtime = int(manifest.get("created_epoch", 0))
        self._tar.addfile(info, io.BytesIO(body))
        self._tar.close()
        self._tar = None
        with self.partial.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(self.partial, self.final)
        _fsync_dir(self.final.parent)
        return self.final


@dataclass
class Unpacked:
    """A verified backup, its members written under `root`."""

    manifest: dict[str, Any]
    root: Path

    def path(self, member: str) -> Path:
        return self.root / member

    def media(self) -> Iterator[tuple[str, Path]]:
        """(path relative to MEDIA_ROOT, staged file) for every media member."""
        for member in sorted(self.manifest["members"]):
            if member.startswith(MEDIA_DIR + "/"):
                yield member[len(MEDIA_DIR) + 1 :], self.root / member


def _safe_name(name: str) -> str:
    path = PurePosixPath(name)
    if (
        path.is_absolute()
        or ".." in path.parts
        or not path.parts
        or path.parts[0] not in {MANIFEST, DATABASE_DIR, MEDIA_DIR}
    ):
        raise BadBackup(f"unexpected member {name!r}: not a cityloop backup")
    return str(path)


def _copy_hashed(source: IO[bytes], target: Path) -> str:
    target.parent.mkdir(parents=True, exist_ok=True)
    sha256 = hashlib.sha256()
    with target.open("wb") as out:
        while chunk := source.read(_CHUNK):
            sha256.update(chunk)
            out.write(chunk)
    return sha256.hexdigest()


def _check_manifest(raw: bytes | None, found: dict[str, tuple[str, int]]) -> dict[str, Any]:
    if raw is None:
        raise BadBackup("no manifest: the file is truncated or not a cityloop backup")
    try:
        manifest = json.loads(raw)
    except ValueError:
        raise BadBackup("the manifest is not valid JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BadBackup("not a cityloop backup (no cityloop manifest)")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BadBackup(
            f"backup format version {manifest.get('format_version')!r}; "
            f"this cityloop reads version {FORMAT_VERSION}"
        )
    listed = manifest.get("members")
    if not isinstance(listed, dict):
        raise BadBackup("the manifest lists no members")
    missing = sorted(set(listed) - set(found))
    if missing:
        raise BadBackup(f"{len(missing)} member(s) missing, first {missing[0]!r}: truncated?")
    unlisted = sorted(set(found) - set(listed))
    if unlisted:
        raise BadBackup(f"member {unlisted[0]!r} is not in the manifest")
    for name, (sha256, size) in sorted(found.items()):
        entry = listed[name]
        if not isinstance(entry, dict) or (entry.get("sha256"), entry.get("size")) != (
            sha256,
            size,
        ):
            raise BadBackup(f"checksum mismatch for {name!r}: the file is damaged")
    database = manifest.get("database")
    if not (
        isinstance(database, dict)
        and database.get("vendor") in {"sqlite", "postgresql"}
        and database.get("member") in listed
        and (database["vendor"] == "sqlite" or isinstance(database.get("server_major"), int))
        and isinstance(manifest.get("counts"), dict)
        and isinstance(manifest.get("migrations"), dict)
    ):
        raise BadBackup("the manifest does not say which database it holds, or what is in it")
    return manifest


def unpack(archive: Path, staging: Path) -> Unpacked:
    """Every member into `staging`, each checked against the manifest; `BadBackup` if
    anything does not match (the caller removes `staging`)."""
    found: dict[str, tuple[str, int]] = {}
    raw_manifest: bytes | None = None
    try:
        with tarfile.open(archive, "r:") as tar:
            for member in tar:
                name = _safe_name(member.name)
                if not member.isfile():
                    raise BadBackup(f"member {name!r} is not a regular file")
                stream = tar.extractfile(member)
                assert stream is not None
                if name == MANIFEST:
                    if member.size > _MANIFEST_LIMIT:
                        raise BadBackup("the manifest is implausibly large")
                    raw_manifest = stream.read()
                    continue
                if name in found:
                    raise BadBackup(f"member {name!r} appears twice")
                found[name] = (_copy_hashed(stream, staging / name), member.size)
                _forget_headers(tar)
    except (tarfile.TarError, EOFError) as error:
        raise BadBackup(f"unreadable tar ({error}): the file is truncated or damaged") from None
    return Unpacked(_check_manifest(raw_manifest, found), staging)


@contextmanager
def staged(folder: Path) -> Iterator[Path]:
    """A fresh staging folder under `folder`, removed afterwards whatever happens."""
    folder.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=".restore-", dir=folder))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
