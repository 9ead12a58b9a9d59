"""批量导入: `import_file` brings a file's historical appeals into the record, each row once.

The batch is keyed by the file's content (SHA-256). Rows are taken in chunks; each chunk is
one transaction that writes the appeals with their whole recorded life and, for every row of
the chunk, an ImportedRow (the appeal made of it, or why it was rejected). An import killed
half-way therefore leaves whole chunks only, and running the same file again carries on after
them: every row ends up imported or rejected exactly once. A ticket number (工单编号) already
imported, from this file or another, is rejected as a repeat."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Model
from django.utils.translation import gettext as _

from cityloop.appeals.models import Appeal, AppealAssignment, AppealEvent
from cityloop.evaluate.models import Callback
from cityloop.intake.bulk.lifecycle import Life, build_life
from cityloop.intake.bulk.models import ImportBatch, ImportedRow
from cityloop.intake.bulk.reading import Sheet, file_digest, load_mapping, open_sheet
from cityloop.intake.bulk.rows import Lookups, ParsedRow, Rejected, parse_row
from cityloop.intake.services import new_tracking_code
from cityloop.kernel import clock
from cityloop.kernel.errors import DomainError

CHUNK = 500
Progress = Callable[[int, int], None]


@dataclass
class ImportSummary:
    file_sha256: str
    rows_total: int
    imported: int  # by this run
    rejected: int  # by this run
    skipped: int  # done by an earlier run of the same file
    dry_run: bool
    # every rejected row of the file (this run's and earlier runs'): row number, id, why
    rejections: list[tuple[int, str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        verb = "would_be_" if self.dry_run else ""
        return {
            "file_sha256": self.file_sha256,
            "rows": self.rows_total,
            f"{verb}imported": self.imported,
            f"{verb}rejected": self.rejected,
            "already_done": self.skipped,
            "dry_run": self.dry_run,
        }


def import_file(
    path: Path,
    *,
    actor_name: str,
    mapping_path: Path | None = None,
    dry_run: bool = False,
    chunk_size: int = CHUNK,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import (or with `dry_run`, only check) the file; bad files raise DomainError before
    anything is written."""
    if not path.is_file():
        raise DomainError("bad_import_file", _("文件不存在：%(path)s") % {"path": path})
    mapping = load_mapping(mapping_path)
    sheet = open_sheet(path, mapping)
    digest = file_digest(path)
    lookups = Lookups()
    if dry_run:
        earlier = ImportBatch.objects.filter(file_sha256=digest).first()
        done = set(earlier.rows.values_list("row_number", flat=True)) if earlier else set()
        return _check_only(sheet, digest, lookups, chunk_size, progress, done)
    batch = _batch(path, digest, mapping, sheet.total, actor_name)
    done = set(batch.rows.values_list("row_number", flat=True))
    summary = ImportSummary(digest, sheet.total, 0, 0, len(done), dry_run=False)
    position = len(done)
    for chunk in _chunks(((n, c) for n, c in sheet.rows() if n not in done), chunk_size):
        imported, rejected = _import_chunk(batch, path.name, chunk, lookups)
        summary.imported += imported
        summary.rejected += rejected
        position += len(chunk)
        if progress:
            progress(position, sheet.total)
    ImportBatch.objects.filter(pk=batch.pk, finished_at__isnull=True).update(
        finished_at=clock.now()
    )
    summary.rejections = list(
        batch.rows.filter(appeal__isnull=True)
        .order_by("row_number")
        .values_list("row_number", "external_id", "reason")
    )
    return summary


def _batch(
    path: Path, digest: str, mapping: dict[str, str], total: int, actor_name: str
) -> ImportBatch:
    batch, created = ImportBatch.objects.get_or_create(
        file_sha256=digest,
        defaults={
            "file_name": path.name[:255],
            "mapping": mapping,
            "rows_total": total,
            "started_at": clock.now(),
            "imported_by": actor_name[:100],
        },
    )
    if not created and batch.mapping != mapping:
        # the rows already taken were read with the other mapping: mixing both is no import
        raise DomainError(
            "import_mapping_changed",
            _("该文件已按另一列映射导入过（批次 %(id)s），请使用相同的列映射") % {"id": batch.pk},
        )
    return batch


def _chunks(
    rows: Iterable[tuple[int, dict[str, str]]], size: int
) -> Iterator[list[tuple[int, dict[str, str]]]]:
    chunk: list[tuple[int, dict[str, str]]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _check_only(
    sheet: Sheet,
    digest: str,
    lookups: Lookups,
    chunk_size: int,
    progress: Progress | None,
    done: set[int],
) -> ImportSummary:
    """What an import would do now: the rows an earlier run of the file took are skipped."""
    summary = ImportSummary(digest, sheet.total, 0, 0, len(done), dry_run=True)
    seen: dict[str, int] = {}
    position = len(done)
    for chunk in _chunks(((n, c) for n, c in sheet.rows() if n not in done), chunk_size):
        for outcome in _parse_chunk(chunk, lookups, seen):
            if isinstance(outcome, Rejected):
                summary.rejected += 1
                summary.rejections.append((outcome.number, outcome.external_id, outcome.reason))
            else:
                summary.imported += 1
        position += len(chunk)
        if progress:
            progress(position, sheet.total)
    return summary


def _parse_chunk(
    chunk: list[tuple[int, dict[str, str]]], lookups: Lookups, seen: dict[str, int]
) -> list[ParsedRow | Rejected]:
    """The chunk's rows read, a ticket number met before (in the file, or imported by any
    batch) rejected as a repeat. `seen` carries the file's numbers from chunk to chunk."""
    outcomes = [parse_row(number, cells, lookups) for number, cells in chunk]
    ids = [o.external_id for o in outcomes if o.external_id]
    earlier = dict(
        ImportedRow.objects.filter(external_id__in=ids, appeal__isnull=False).values_list(
            "external_id", "appeal__tracking_code"
        )
    )
    for position, outcome in enumerate(outcomes):
        ticket = outcome.external_id
        if not ticket or isinstance(outcome, Rejected):
            continue
        if ticket in earlier:
            outcomes[position] = Rejected(
                outcome.number,
                ticket,
                [
                    _("工单编号 %(id)s 已导入（查询码 %(code)s）")
                    % {"id": ticket, "code": earlier[ticket]}
                ],
            )
        elif ticket in seen:
            outcomes[position] = Rejected(
                outcome.number,
                ticket,
                [_("工单编号 %(id)s 与第 %(row)s 行重复") % {"id": ticket, "row": seen[ticket]}],
            )
        else:
            seen[ticket] = outcome.number
    return outcomes


def _import_chunk(
    batch: ImportBatch, file_name: str, chunk: list[tuple[int, dict[str, str]]], lookups: Lookups
) -> tuple[int, int]:
    with transaction.atomic():
        # another run of the same file may have taken some of these rows meanwhile; the
        # batch's lock makes two runs take turns, chunk by chunk
        ImportBatch.objects.select_for_update().filter(pk=batch.pk).first()
        taken = set(
            ImportedRow.objects.filter(
                batch=batch, row_number__in=[number for number, _cells in chunk]
            ).values_list("row_number", flat=True)
        )
        chunk = [(number, cells) for number, cells in chunk if number not in taken]
        # a repeat of an earlier chunk is found among the imported rows: no memory needed
        outcomes = _parse_chunk(chunk, lookups, {})
        parsed = [o for o in outcomes if isinstance(o, ParsedRow)]
        codes = _tracking_codes(parsed)
        lives = [
            build_life(row, lookups, tracking_code=code, source=_source(file_name, row))
            for row, code in zip(parsed, codes, strict=True)
        ]
        appeals = _write(lives)
        records = [
            ImportedRow(batch=batch, row_number=row.number, external_id=row.external_id, appeal=a)
            for row, a in zip(parsed, appeals, strict=True)
        ]
        records += [
            ImportedRow(
                batch=batch, row_number=o.number, external_id=o.external_id, reason=o.reason
            )
            for o in outcomes
            if isinstance(o, Rejected)
        ]
        ImportedRow.objects.bulk_create(records)
        rejected = len(outcomes) - len(parsed)
        ImportBatch.objects.filter(pk=batch.pk).update(
            imported=F("imported") + len(parsed), rejected=F("rejected") + rejected
        )
    return len(parsed), rejected


def _source(file_name: str, row: ParsedRow) -> str:
    where = _("批量导入：%(file)s 第 %(row)s 行") % {"file": file_name, "row": row.number}
    if row.external_id:
        where += _("，原工单编号 %(id)s") % {"id": row.external_id}
    return where


def _tracking_codes(rows: list[ParsedRow]) -> list[str]:
    """A fresh tracking code for each row, dated by its reception, none already in use."""
    codes = [new_tracking_code(row.received_at) for row in rows]
    while True:
        used = set(Appeal.objects.filter(tracking_code__in=codes).values_list("tracking_code"))
        clashes = {i for i, code in enumerate(codes) if (code,) in used or codes.index(code) != i}
        if not clashes:
            return codes
        for i in clashes:
            codes[i] = new_tracking_code(rows[i].received_at)


def _write(lives: list[Life]) -> list[Appeal]:
    """The appeals (their ids come back from the database: a live record has other writers,
    so ids are never guessed), then their events, assignments and callbacks."""
    appeals = Appeal.objects.bulk_create([Appeal(**life.fields) for life in lives])
    events: list[dict[str, Any]] = []
    assignments: list[dict[str, Any]] = []
    callbacks: list[dict[str, Any]] = []
    for appeal, life in zip(appeals, lives, strict=True):
        events += [{"appeal_id": appeal.pk, **event} for event in life.events]
        assignments += [{"appeal_id": appeal.pk, **a} for a in life.assignments]
        callbacks += [{"appeal_id": appeal.pk, **c} for c in life.callbacks]
    insert_rows(AppealEvent, events)
    insert_rows(AppealAssignment, assignments)
    insert_rows(Callback, callbacks)
    return appeals


def insert_rows(model: type[Model], rows: list[dict[str, Any]]) -> None:
    """One executemany for rows keyed by attribute name (`appeal_id`), the database
    assigning the ids; a missing attribute takes the field's default. bulk_create compiles
    its SQL over and over for batches of a few dozen rows, which is most of a chunk's time."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(str(model._meta.db_table))
    values = [
        [f.get_db_prep_save(row.get(f.attname, f.get_default()), connection) for f in fields]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)
