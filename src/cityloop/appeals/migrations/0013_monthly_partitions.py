"""PostgreSQL: partition appeals by received_at and events by at, one partition per local month
(decision 0014). Works on an existing database: each table is rebuilt as a partitioned one with the
same columns, defaults, checks and index names, its rows copied, its id sequence kept. Foreign keys
TO these two tables are dropped (none can reference a partitioned key of (id, month)); Django's
model state does not change. SQLite: nothing happens.

The copy is one INSERT … SELECT per table, in the migration's transaction. For a database of
100 M appeals an operator would copy in batches (by month) before a short final switch instead.
"""

from __future__ import annotations

from django.conf import settings
from django.db import migrations

from cityloop.appeals import partitions

FK_TO_PARTITIONED = (
    "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'f' "
    "AND confrelid IN (to_regclass('appeals_appeal'), to_regclass('appeals_appealevent'))"
)


def _table_shape(cursor, table):
    """What LIKE … does not copy: the indexes (but the primary key and unique constraints,
    rebuilt by their own rule), the foreign keys to other tables, the id sequence's position."""
    cursor.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = "
        "to_regclass(quote_ident(i.indexname)) AND c.contype IN ('p', 'u'))",
        [table],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = to_regclass(%s) AND contype = 'f'",
        [table],
    )
    foreign_keys = cursor.fetchall()
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
    position = cursor.fetchone()
    return indexes, foreign_keys, position


def _finish(cursor, table, indexes, foreign_keys):
    for _name, definition in indexes:
        cursor.execute(definition)
    for name, definition in foreign_keys:
        cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')


def _set_sequence(cursor, table, position):
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    cursor.execute("SELECT setval(%s, %s, %s)", [sequence, position[0], position[1]])


def _months_to_create(cursor, table):
    """Every month that holds rows (not every month since the earliest: one stray old row must
    not make hundreds of empty partitions), and this month to 3 months ahead."""
    cursor.execute(
        f"SELECT DISTINCT date_trunc('month', \"{table.key}\" AT TIME ZONE %s)::date "
        f'FROM "{table.name}"',
        [settings.TIME_ZONE],
    )
    months = {row[0] for row in cursor.fetchall()}
    month = partitions.month_of(partitions.clock.now())
    for _ahead in range(partitions.DEFAULT_MONTHS_AHEAD + 1):
        months.add(month)
        month = partitions.clock.add_months(month, 1)
    return sorted(months)


def _to_partitioned(cursor, table):
    indexes, foreign_keys, position = _table_shape(cursor, table.name)
    new = f"{table.name}__partitioned"
    cursor.execute(
        f'CREATE TABLE "{new}" (LIKE "{table.name}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS '
        f'INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE ("{table.key}")'
    )
    for month in _months_to_create(cursor, table):
        partitions.create_month_partition(cursor, table, month, new)
    partitions.create_default_partition(cursor, table, new)
    cursor.execute(f'INSERT INTO "{new}" SELECT * FROM "{table.name}"')
    cursor.execute(f'DROP TABLE "{table.name}"')  # and its identity sequence
    cursor.execute(f'ALTER TABLE "{new}" RENAME TO "{table.name}"')
    # PostgreSQL 15 has no identity column on a partitioned table: a sequence owned by the
    # column, under the identity's old name, keeps pg_get_serial_sequence and RESTART IDENTITY
    cursor.execute(
        f'CREATE SEQUENCE "{table.name}_id_seq" AS bigint OWNED BY "{table.name}".id'
    )
    cursor.execute(
        f'ALTER TABLE "{table.name}" ALTER COLUMN id SET DEFAULT '
        f"nextval('\"{table.name}_id_seq\"'::regclass)"
    )
    _set_sequence(cursor, table.name, position)
    cursor.execute(
        f'ALTER TABLE "{table.name}" ADD CONSTRAINT "{table.name}_pkey" '
        f'PRIMARY KEY (id, "{table.key}")'
    )
    _finish(cursor, table.name, indexes, foreign_keys)


def _to_plain(cursor, table):
    indexes, foreign_keys, position = _table_shape(cursor, table.name)
    new = f"{table.name}__plain"
    cursor.execute(
        f'CREATE TABLE "{new}" (LIKE "{table.name}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS '
        "INCLUDING STORAGE INCLUDING COMMENTS)"
    )
    cursor.execute(f'ALTER TABLE "{new}" ALTER COLUMN id DROP DEFAULT')
    cursor.execute(f'INSERT INTO "{new}" SELECT * FROM "{table.name}"')
    cursor.execute(f'DROP TABLE "{table.name}"')  # its partitions and its sequence
    cursor.execute(f'ALTER TABLE "{new}" RENAME TO "{table.name}"')
    cursor.execute(
        f'ALTER TABLE "{table.name}" ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY '
        f'(SEQUENCE NAME "{table.name}_id_seq")'
    )
    _set_sequence(cursor, table.name, position)
    cursor.execute(f'ALTER TABLE "{table.name}" ADD CONSTRAINT "{table.name}_pkey" PRIMARY KEY (id)')
    for name, columns in table.django_uniques:
        cursor.execute(f'ALTER TABLE "{table.name}" ADD CONSTRAINT "{name}" UNIQUE ({columns})')
    _finish(cursor, table.name, indexes, foreign_keys)


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FK_TO_PARTITIONED)
        for table, name in cursor.fetchall():
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for table in partitions.TABLES:
            _to_partitioned(cursor, table)


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in partitions.TABLES:
            _to_plain(cursor, table)
    # the foreign keys as Django names and makes them, from the models of this code
    for model, field in partitions._referencing_fields():
        if field.db_constraint:
            schema_editor.execute(
                schema_editor._create_fk_sql(model, field, "_fk_%(to_table)s_%(to_column)s")
            )


class Migration(migrations.Migration):
    atomic = True

    # every migration that makes a foreign key to an appeal or an event comes first: on
    # PostgreSQL none can be made once the tables are partitioned
    dependencies = [
        ("appeals", "0012_alter_appeal_channel"),
        ("classify", "0002_stage"),
        ("demo", "0002_demo_build"),
        ("evaluate", "0003_ranking_minimum_sample_and_issuing_body"),
        ("handling", "0001_initial"),
        ("bulk_import", "0001_initial"),
        ("patrol", "0001_initial"),
        ("sensors", "0001_initial"),
        ("webhooks", "0001_initial"),
        ("notify", "0002_seed_templates"),
        ("oversight", "0001_initial"),
        ("proactive", "0002_initial"),
        ("warning", "0001_initial"),
    ]

    operations = [migrations.RunPython(partition, unpartition)]
