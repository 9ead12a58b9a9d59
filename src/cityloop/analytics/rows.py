"""What the export reads from the record: the rows of one month's appeals, their callbacks
and their events, in the columns of analytics.tables, chunk by chunk (a server-side cursor
on PostgreSQL), local days computed in the city's zone."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from cityloop.appeals.enums import DecisionStatus
from cityloop.appeals.models import Appeal, AppealEvent
from cityloop.evaluate.models import AssessmentExclusion, Callback
from cityloop.taxonomy.models import Category

CHUNK_ROWS = 5000


def _utc(moment: Any) -> datetime | None:
    """An aware instant as a naive UTC timestamp (the store's times)."""
    return None if moment is None else moment.astimezone(UTC).replace(tzinfo=None)


def _local_day(moment: datetime) -> date:
    """clock.local_date for a row of the export: the same conversion (to the current time
    zone, the city's), without looking the zone up again for each of millions of rows."""
    return moment.astimezone(_city_zone()).date()


@functools.cache
def _city_zone() -> tzinfo:
    return timezone.get_current_timezone()


def appeal_rows(in_month: dict[str, Any], month: str) -> Iterator[tuple[Any, ...]]:
    lineage = _category_lineage()
    rows = (
        Appeal.objects.filter(**in_month)
        .order_by("id")
        .values_list(
            "id",
            "tracking_code",
            "received_at",
            "channel",
            "status",
            "appeal_type",
            "outcome",
            "urgency",
            "category_id",
            "district_id",
            "street_id",
            "grid_id",
            "main_unit_id",
            "lat",
            "lng",
            "replied_at",
            "closed_at",
            "version",
            "public_title",
            "public_content",
        )
        .iterator(chunk_size=CHUNK_ROWS)
    )
    for pk, code, received, channel, status, kind, outcome, urgency, category, *rest in rows:
        district, street, grid, unit, lat, lng, replied, closed, version, title, text = rest
        level2, level1 = lineage.get(category, (None, None)) if category else (None, None)
        yield (
            pk,
            code,
            _utc(received),
            _local_day(received),
            month,
            channel,
            status,
            kind,
            outcome,
            urgency,
            category,
            level2,
            level1,
            district,
            street,
            grid,
            unit,
            lat,
            lng,
            _utc(replied),
            _utc(closed),
            version,
            title,
            text,
        )


def callback_rows(in_month: dict[str, Any], month: str) -> Iterator[tuple[Any, ...]]:
    approved = AssessmentExclusion.objects.filter(
        appeal_id=OuterRef("appeal_id"), status=DecisionStatus.APPROVED
    )
    rows = (
        Callback.objects.filter(**{f"appeal__{k}": v for k, v in in_month.items()})
        .annotate(excluded=Exists(approved))
        .order_by("id")
        .values_list(
            "id",
            "appeal_id",
            "unit_id",
            "at",
            "is_valid",
            "is_latest",
            "contacted",
            "resolved",
            "satisfaction",
            "appeal__appeal_type",
            "excluded",
        )
        .iterator(chunk_size=CHUNK_ROWS)
    )
    for pk, appeal, unit, at, valid, latest, contacted, resolved, satisfaction, *rest in rows:
        day = _local_day(at)
        yield (
            pk,
            appeal,
            unit,
            _utc(at),
            day,
            f"{day:%Y-%m}",
            month,
            valid,
            latest,
            contacted,
            resolved,
            satisfaction,
            *rest,
        )


def event_rows(in_month: dict[str, Any], month: str) -> Iterator[tuple[Any, ...]]:
    rows = (
        AppealEvent.objects.filter(**{f"appeal__{k}": v for k, v in in_month.items()})
        .order_by("id")
        .values_list(
            "id", "appeal_id", "seq", "action", "at", "from_status", "to_status", "actor_unit_id"
        )
        .iterator(chunk_size=CHUNK_ROWS)
    )
    for pk, appeal, seq, action, at, from_status, to_status, unit in rows:
        yield (pk, appeal, seq, action, _utc(at), _local_day(at), month, from_status,
               to_status, unit)  # fmt: skip


def _category_lineage() -> dict[int, tuple[int | None, int | None]]:
    """Each category's second-level and first-level ancestor (itself at its own level)."""
    nodes = {pk: (level, parent) for pk, level, parent in
             Category.objects.values_list("pk", "level", "parent_id")}  # fmt: skip
    lineage: dict[int, tuple[int | None, int | None]] = {}
    for pk in nodes:
        at_level: dict[int, int] = {}
        current: int | None = pk
        while current is not None and current in nodes:
            level, parent = nodes[current]
            at_level[level] = current
            current = parent
        lineage[pk] = (at_level.get(2), at_level.get(1))
    return lineage
