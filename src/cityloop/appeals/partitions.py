"""Monthly partitions of the appeals and events tables on PostgreSQL (decision 0014).

Appeals are partitioned by `received_at`, events by `at`, one partition per LOCAL month plus a
DEFAULT partition. A unique index on a partitioned table must contain the partition key, so the
uniqueness Django declares (tracking_code; appeal + seq) is an index on EACH partition, made by
`create_month_partition`. No foreign key can reference these tables (their key is (id, month)):
`orphans()` is the check that replaces them. SQLite keeps its plain tables: every function here is
a no-op there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection as default_connection
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from cityloop.kernel import clock

DEFAULT_MONTHS_AHEAD = 3
DAILY_AT = time(3, 30)  # local; a quiet hour, well before any month boundary


@dataclass(frozen=True)
class PartitionedTable:
    name: str
    key: str  # the partition key column
    # (suffix, columns) of the unique indexes made on every partition; the suffix is Django's
    # constraint name where it had one, so a reader finds the rule it stands for
    partition_uniques: tuple[tuple[str, str], ...]
    # Django's name of the unique constraint, restored when the table is made plain again
    django_uniques: tuple[tuple[str, str], ...]


APPEALS = PartitionedTable(
    "appeals_appeal",
    "received_at",
    (("tracking_code_key", "tracking_code"),),
    (("appeals_appeal_tracking_code_key", "tracking_code"),),
)
EVENTS = PartitionedTable(
    "appeals_appealevent",
    "at",
    (("appeal_event_seq_unique", "appeal_id, seq"),),
    (("appeal_event_seq_unique", "appeal_id, seq"),),
)
TABLES = (APPEALS, EVENTS)


@dataclass(frozen=True)
class PartitionInfo:
    table: str
    name: str
    bounds: str  # PostgreSQL's own text: FOR VALUES FROM (…) TO (…) / DEFAULT
    row_estimate: int


def is_postgresql(connection: BaseDatabaseWrapper = default_connection) -> bool:
    return connection.vendor == "postgresql"


def month_of(moment: datetime | date) -> date:
    """The first day of the LOCAL month `moment` falls in."""
    day = clock.local_date(moment) if isinstance(moment, datetime) else moment
    return day.replace(day=1)


def partition_name(table: PartitionedTable, month: date) -> str:
    return f"{table.name}_y{month.year}m{month.month:02d}"


def default_partition_name(table: PartitionedTable) -> str:
    return f"{table.name}_default"


def _local_midnight(month: date) -> str:
    """A timestamptz literal of the city's midnight on the 1st, e.g. '2026-12-01 00:00:00+08:00'
    (settings.TIME_ZONE, not the zone a request may have activated: bounds never move)."""
    return datetime.combine(month, time(0), ZoneInfo(settings.TIME_ZONE)).isoformat(sep=" ")


def _create_partition_uniques(cursor: Any, table: PartitionedTable, partition: str) -> None:
    q = cursor.db.ops.quote_name
    for suffix, columns in table.partition_uniques:
        cursor.execute(
            f"CREATE UNIQUE INDEX IF NOT EXISTS {q(partition + '_' + suffix)} "
            f"ON {q(partition)} ({columns})"
        )


def create_month_partition(cursor: Any, table: PartitionedTable, month: date, parent: str) -> str:
    """The partition of `month` (local midnight of the 1st to the next 1st) with its unique
    indexes. `parent` is the partitioned table's current name (it differs while converting)."""
    q = cursor.db.ops.quote_name
    name = partition_name(table, month)
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {q(name)} PARTITION OF {q(parent)} FOR VALUES "
        f"FROM ('{_local_midnight(month)}') TO ('{_local_midnight(clock.add_months(month, 1))}')"
    )
    _create_partition_uniques(cursor, table, name)
    return name


def create_default_partition(cursor: Any, table: PartitionedTable, parent: str) -> str:
    q = cursor.db.ops.quote_name
    name = default_partition_name(table)
    cursor.execute(f"CREATE TABLE IF NOT EXISTS {q(name)} PARTITION OF {q(parent)} DEFAULT")
    _create_partition_uniques(cursor, table, name)
    return name


def is_partitioned(
    table: PartitionedTable, connection: BaseDatabaseWrapper = default_connection
) -> bool:
    if not is_postgresql(connection):
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)", [table.name]
        )
        return cursor.fetchone() is not None


def _months_between(first: date, last: date) -> list[date]:
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = clock.add_months(month, 1)
    return months


def ensure_partitions(
    months_ahead: int = DEFAULT_MONTHS_AHEAD,
    *,
    today: date | None = None,
    connection: BaseDatabaseWrapper = default_connection,
) -> list[str]:
    """Create the missing month partitions from this local month to `months_ahead` months
    ahead, and those of the months whose rows sit in the DEFAULT partition (history imported or
    generated before its months existed); return their names. A month's rows already in DEFAULT
    are moved into its new partition in the same transaction (PostgreSQL refuses to create a
    partition whose rows sit in the default one). Safe to run twice; a no-op (empty list) on
    SQLite."""
    if months_ahead < 0:
        raise ValueError(f"months_ahead must be 0 or more, not {months_ahead}")
    if not is_postgresql(connection):
        return []
    current = month_of(today or clock.now())
    created = []
    for table in TABLES:
        if not is_partitioned(table, connection):
            continue
        ahead = _months_between(current, clock.add_months(current, months_ahead))
        for month in sorted({*ahead, *_months_in_default(connection, table)}):
            if _exists(connection, partition_name(table, month)):
                continue
            with transaction.atomic(using=connection.alias):
                created.append(_create_moving_default_rows(connection, table, month))
    return created


def _months_in_default(connection: BaseDatabaseWrapper, table: PartitionedTable) -> list[date]:
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT date_trunc('month', {q(table.key)} AT TIME ZONE %s)::date "
            f"FROM {q(default_partition_name(table))}",
            [settings.TIME_ZONE],
        )
        return [row[0] for row in cursor.fetchall()]


def _exists(connection: BaseDatabaseWrapper, relation: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [relation])
        row = cursor.fetchone()
        return bool(row and row[0])


def _create_moving_default_rows(
    connection: BaseDatabaseWrapper, table: PartitionedTable, month: date
) -> str:
    q = connection.ops.quote_name
    default = default_partition_name(table)
    start, end = _local_midnight(month), _local_midnight(clock.add_months(month, 1))
    in_month = f"{q(table.key)} >= %s AND {q(table.key)} < %s"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {q(default)} WHERE {in_month})", [start, end])
        row = cursor.fetchone()
        if not (row and row[0]):
            return create_month_partition(cursor, table, month, table.name)
        cursor.execute(f"ALTER TABLE {q(table.name)} DETACH PARTITION {q(default)}")
        name = create_month_partition(cursor, table, month, table.name)
        cursor.execute(
            f"WITH moved AS (DELETE FROM {q(default)} WHERE {in_month} RETURNING *) "
            f"INSERT INTO {q(table.name)} SELECT * FROM moved",
            [start, end],
        )
        cursor.execute(f"ALTER TABLE {q(table.name)} ATTACH PARTITION {q(default)} DEFAULT")
        return name


def list_partitions(connection: BaseDatabaseWrapper = default_connection) -> list[PartitionInfo]:
    """Every partition of both tables, in order, with its bounds in local time and PostgreSQL's
    row estimate (0 before the table was first analysed)."""
    if not is_postgresql(connection):
        return []
    infos = []
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(
                "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), c.reltuples "
                "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname",
                [table.name],
            )
            for name, bounds, estimate in cursor.fetchall():
                infos.append(
                    PartitionInfo(table.name, name, _in_local_time(bounds), max(int(estimate), 0))
                )
    return infos


def _in_local_time(bounds: str) -> str:
    """PostgreSQL writes the bounds in the session's zone (UTC under Django); an operator
    reads them in the city's, as they were chosen. (Not SET TimeZone: inside a caller's
    transaction it would outlive this query and mislead Django's reading of timestamps.)"""

    def local(match: re.Match[str]) -> str:
        moment = datetime.fromisoformat(match.group(1)).astimezone(ZoneInfo(settings.TIME_ZONE))
        return f"'{moment.isoformat(sep=' ')}'"

    return re.sub(r"'(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d\d(?::\d\d)?)'", local, bounds)


def _referencing_fields() -> list[tuple[Any, Any]]:
    """(model, field) of every concrete foreign key to an appeal or an event, through tables
    of many-to-many fields included."""
    from django.apps import apps
    from django.db.models import ForeignKey

    from cityloop.appeals.models import Appeal, AppealEvent

    fields = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.local_fields:
            # OneToOneField is a ForeignKey too
            if isinstance(field, ForeignKey) and field.related_model in (Appeal, AppealEvent):
                fields.append((model, field))
    return fields


def orphans(connection: BaseDatabaseWrapper = default_connection) -> dict[str, int]:
    """For every foreign key to an appeal or an event, keyed "table.column": how many rows
    name an appeal/event that does not exist. On PostgreSQL these keys have no constraint
    (decision 0014), so this is what an integrity check asks; all zero on a sound database."""
    q = connection.ops.quote_name
    counts = {}
    with connection.cursor() as cursor:
        for model, field in _referencing_fields():
            child, column = model._meta.db_table, field.column
            parent = field.related_model._meta.db_table
            cursor.execute(
                f"SELECT count(*) FROM {q(child)} c WHERE c.{q(column)} IS NOT NULL AND NOT "
                f"EXISTS (SELECT 1 FROM {q(parent)} p WHERE p.id = c.{q(column)})"
            )
            row = cursor.fetchone()
            counts[f"{child}.{column}"] = int(row[0]) if row else 0
    return counts


def ensure_partitions_job() -> dict[str, Any]:
    """The daily django-q2 job."""
    if not is_postgresql():
        return {"skipped": "SQLite keeps plain tables"}
    return {"created": ensure_partitions()}


def ensure_schedules() -> None:
    from django_q.models import Schedule

    Schedule.objects.get_or_create(
        name="cityloop-ensure-partitions",
        defaults={
            "func": "cityloop.appeals.partitions.ensure_partitions_job",
            "schedule_type": Schedule.DAILY,
            "repeats": -1,
            "next_run": clock.next_local(DAILY_AT, clock.now()),
        },
    )
