"""Monthly partitions of appeals and events on PostgreSQL (decision 0014)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from cityloop.appeals import partitions
from cityloop.appeals.models import Appeal, AppealAssignment, AppealEvent
from cityloop.cli import main as cli_main
from cityloop.kernel import clock

LOCAL = ZoneInfo("Asia/Shanghai")
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions exist on PostgreSQL only"
)
BEFORE = [("appeals", "0012_alter_appeal_channel")]
AFTER = [("appeals", "0013_monthly_partitions")]


def _partition_of(table: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _appeal(code: str, received_at: datetime) -> Appeal:
    return Appeal.objects.create(
        tracking_code=code, channel="phone", title="t", content="c", received_at=received_at
    )


def _event(appeal: Appeal, seq: int, at: datetime) -> AppealEvent:
    return AppealEvent.objects.create(appeal=appeal, seq=seq, action="note", at=at, actor_name="x")


def _months(*months: date) -> None:
    with connection.cursor() as cursor:
        for table in partitions.TABLES:
            for month in months:
                partitions.create_month_partition(cursor, table, month, table.name)


@on_postgresql
@pytest.mark.postgres
def test_both_tables_are_partitioned_by_range(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT partrelid::regclass::text, partstrat FROM pg_partitioned_table "
            "WHERE partrelid IN ('appeals_appeal'::regclass, 'appeals_appealevent'::regclass)"
        )
        assert dict(cursor.fetchall()) == {"appeals_appeal": "r", "appeals_appealevent": "r"}
        cursor.execute("SELECT pg_get_serial_sequence('appeals_appeal', 'id')")
        assert cursor.fetchone()[0] == "public.appeals_appeal_id_seq"
    bounds = {info.name: info.bounds for info in partitions.list_partitions()}
    this_month = clock.this_month()
    name = partitions.partition_name(partitions.APPEALS, this_month)
    assert bounds[name] == (
        f"FOR VALUES FROM ('{this_month} 00:00:00+08:00') "
        f"TO ('{clock.add_months(this_month, 1)} 00:00:00+08:00')"
    )
    names = set(bounds)
    assert "appeals_appealevent_default" in names


@on_postgresql
@pytest.mark.postgres
def test_a_month_begins_at_local_midnight(city):
    _months(date(2026, 11, 1), date(2026, 12, 1))
    late_november = city.receive(received_at=datetime(2026, 11, 30, 23, 30, tzinfo=LOCAL))
    early_december = city.receive(received_at=datetime(2026, 12, 1, 0, 30, tzinfo=LOCAL))
    assert late_november.tracking_code.startswith("261130")
    assert _partition_of("appeals_appeal", late_november.pk) == "appeals_appeal_y2026m11"
    assert _partition_of("appeals_appeal", early_december.pk) == "appeals_appeal_y2026m12"
    # and the ORM reads them back through the parent, by id and by code
    assert Appeal.objects.get(pk=late_november.pk).tracking_code == late_november.tracking_code
    assert Appeal.objects.get(tracking_code=early_december.tracking_code).pk == early_december.pk


@on_postgresql
@pytest.mark.postgres
def test_a_duplicate_tracking_code_is_refused(db):
    at = datetime(2026, 12, 3, 9, 0, tzinfo=LOCAL)
    _months(date(2026, 12, 1))
    _appeal("261203ABCDEF", at)
    with pytest.raises(IntegrityError), transaction.atomic():
        _appeal("261203ABCDEF", at + timedelta(hours=3))


@on_postgresql
@pytest.mark.postgres
def test_a_duplicate_seq_of_an_appeal_within_a_month_is_refused(db):
    at = datetime(2026, 12, 3, 9, 0, tzinfo=LOCAL)
    _months(date(2026, 12, 1))
    appeal = _appeal("261203ABCDEF", at)
    _event(appeal, 1, at)
    _event(appeal, 2, at + timedelta(days=2))
    with pytest.raises(IntegrityError), transaction.atomic():
        _event(appeal, 2, at + timedelta(days=5))


@on_postgresql
@pytest.mark.postgres
def test_ensure_partitions_moves_the_rows_of_a_new_month_out_of_the_default(db):
    today = clock.today()
    far = clock.add_months(clock.first_of_month(today), 5)
    name = partitions.partition_name(partitions.APPEALS, far)
    assert name not in {info.name for info in partitions.list_partitions()}
    at = datetime.combine(far, datetime.min.time(), LOCAL) + timedelta(days=2, hours=1)
    appeal = _appeal(f"{far:%y%m}03QWERTY", at)
    event = _event(appeal, 1, at)
    # 1999-01-01 00:30 local is still 1998 in UTC
    neighbour = _appeal("990101QWERTY", datetime(1999, 1, 1, 0, 30, tzinfo=LOCAL))
    assert _partition_of("appeals_appeal", appeal.pk) == "appeals_appeal_default"
    assert _partition_of("appeals_appeal", neighbour.pk) == "appeals_appeal_default"

    created = partitions.ensure_partitions(6, today=today)

    assert name in created
    assert partitions.partition_name(partitions.EVENTS, far) in created
    assert _partition_of("appeals_appeal", appeal.pk) == name
    assert _partition_of("appeals_appealevent", event.pk) == partitions.partition_name(
        partitions.EVENTS, far
    )
    # a month of the past found in DEFAULT gets its partition too
    assert _partition_of("appeals_appeal", neighbour.pk) == "appeals_appeal_y1999m01"
    assert Appeal.objects.get(pk=appeal.pk).received_at == at
    with pytest.raises(IntegrityError), transaction.atomic():  # the new month has its index
        _appeal(appeal.tracking_code, at)
    assert partitions.ensure_partitions(6, today=today) == []


@on_postgresql
@pytest.mark.postgres
def test_orphans_counts_rows_whose_appeal_is_gone(city):
    appeal = city.receive()
    assert set(partitions.orphans().values()) == {0}
    AppealAssignment.objects.filter(appeal=appeal).delete()
    with connection.cursor() as cursor:  # no foreign key stops this on PostgreSQL now
        cursor.execute(
            "INSERT INTO appeals_appealassignment (appeal_id, unit_id, role, status, "
            "assigned_at, note) VALUES (%s, %s, 'main', 'pending', now(), '')",
            [appeal.pk + 1000, city.water.pk],
        )
    found = partitions.orphans()
    assert found["appeals_appealassignment.appeal_id"] == 1
    assert sum(found.values()) == 1
    # a delete still cascades, in Python: no event is left without its appeal
    Appeal.objects.filter(pk=appeal.pk).delete()
    assert partitions.orphans()["appeals_appealevent.appeal_id"] == 0


def test_the_commands_say_that_sqlite_has_no_partitions(db, capsys):
    if connection.vendor == "postgresql":
        pytest.skip("the SQLite answer")
    cli_main(["partitions", "ensure"])
    cli_main(["partitions", "list"])
    out = capsys.readouterr().out
    assert out.count("SQLite") == 2
    assert partitions.ensure_partitions() == []


def test_a_negative_month_count_is_refused(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli_main(["partitions", "ensure", "--months-ahead", "-1"])
    assert exit_.value.code == 2
    assert "--months-ahead must be 0 or more" in capsys.readouterr().err


FK_NAMES = (
    "SELECT conrelid::regclass::text || '.' || conname FROM pg_constraint WHERE contype = 'f' "
    "AND confrelid IN ('appeals_appeal'::regclass, 'appeals_appealevent'::regclass)"
)


def _rows(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY id")
        columns = [column.name for column in cursor.description]
        return [tuple(sorted(zip(columns, row, strict=True))) for row in cursor.fetchall()]


def _scalar(sql: str) -> object:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def _migrate(target: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return MigrationExecutor(connection)


def _old_history(executor: MigrationExecutor) -> None:
    """Appeals in three local months with their events, one merged into another, made with
    the models as they were before the migration."""
    old = executor.loader.project_state(BEFORE).apps
    Appeal_ = old.get_model("appeals", "Appeal")
    Event = old.get_model("appeals", "AppealEvent")
    first = None
    for number, month in enumerate([date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]):
        for day in (1, 15, 28):
            received = datetime.combine(month.replace(day=day), datetime.min.time(), LOCAL)
            appeal = Appeal_.objects.create(
                tracking_code=f"{received:%y%m%d}X{number}{day:02d}AB",
                channel="phone",
                title=f"标题{day}",
                content="内容",
                caller_phone="13800138000",
                received_at=received + timedelta(minutes=30),
                reply_check={"flags": [day]},
                lat=39.9 + day / 100,
                merged_into=first,
            )
            first = first or appeal
            for seq in (1, 2, 3):  # the last event in the next month for the 28th
                Event.objects.create(
                    appeal=appeal,
                    seq=seq,
                    action="receive" if seq == 1 else "note",
                    at=received + timedelta(days=seq * 2),
                    actor_name="甲",
                    changes={"seq": seq},
                )


@on_postgresql
@pytest.mark.postgres
def test_the_migration_partitions_an_existing_database_and_back(transactional_db):
    executor = _migrate(BEFORE)
    assert _scalar("SELECT count(*) FROM pg_partitioned_table") == 0
    plain_foreign_keys = set(_column(FK_NAMES))
    _old_history(executor)
    appeals, events = _rows("appeals_appeal"), _rows("appeals_appealevent")
    assert len(appeals) == 9 and len(events) == 27

    executor = _migrate(AFTER)
    assert _scalar("SELECT count(*) FROM pg_partitioned_table") == 2
    assert _rows("appeals_appeal") == appeals
    assert _rows("appeals_appealevent") == events
    assert _column(FK_NAMES) == []
    names = {info.name for info in partitions.list_partitions()}
    assert {"appeals_appeal_y2026m09", "appeals_appealevent_y2026m12"} <= names
    assert "appeals_appeal_y2026m08" not in names  # no month without rows before the first
    first_id = dict(appeals[0])["id"]
    assert _partition_of("appeals_appeal", first_id) == "appeals_appeal_y2026m09"
    later = _appeal("261201LATER1", datetime(2026, 12, 1, 9, tzinfo=LOCAL))
    assert later.pk == max(dict(row)["id"] for row in appeals) + 1

    executor = _migrate(BEFORE)
    assert _scalar("SELECT count(*) FROM pg_partitioned_table") == 0
    assert _rows("appeals_appeal")[:-1] == appeals
    assert _rows("appeals_appealevent") == events
    assert set(_column(FK_NAMES)) == plain_foreign_keys
    assert (
        _scalar(
            "SELECT attidentity FROM pg_attribute WHERE attrelid = 'appeals_appeal'::regclass "
            "AND attname = 'id'"
        )
        == "d"
    )
    old = executor.loader.project_state(BEFORE).apps.get_model("appeals", "Appeal")
    again = old.objects.create(
        tracking_code="261201LATER2",
        channel="phone",
        title="t",
        content="c",
        received_at=datetime(2026, 12, 1, 10, tzinfo=LOCAL),
    )
    assert again.pk == later.pk + 1
    with pytest.raises(IntegrityError), transaction.atomic():
        old.objects.create(
            tracking_code="261201LATER2",
            channel="phone",
            title="t",
            content="c",
            received_at=datetime(2026, 12, 1, 10, tzinfo=LOCAL),
        )

    _migrate(AFTER)
    assert _scalar("SELECT count(*) FROM pg_partitioned_table") == 2
    assert _rows("appeals_appeal")[:-2] == appeals
    assert _rows("appeals_appealevent") == events
    # the refused duplicate drew again.pk + 1
    assert _appeal("261201LATER3", datetime(2026, 12, 1, 11, tzinfo=LOCAL)).pk == again.pk + 2


def _column(sql: str) -> list[object]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


def test_the_worker_keeps_partitions_ahead_daily_at_half_past_three(db):
    from django_q.models import Schedule

    moment = datetime(2026, 12, 1, 4, 0, tzinfo=LOCAL)
    with clock.frozen_at(moment):
        partitions.ensure_schedules()
        partitions.ensure_schedules()  # a restarted worker does not add a second one
    [schedule] = Schedule.objects.filter(name="cityloop-ensure-partitions")
    assert schedule.schedule_type == Schedule.DAILY
    assert clock.local(schedule.next_run) == datetime(2026, 12, 2, 3, 30, tzinfo=LOCAL)
    result = partitions.ensure_partitions_job()
    if connection.vendor == "postgresql":
        assert set(result) == {"created"}
        assert partitions.ensure_partitions_job() == {"created": []}
    else:
        assert "SQLite" in result["skipped"]
