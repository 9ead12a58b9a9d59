"""The store on a small demo city: what it holds equals the record, the ranking it gives equals
the assessment's, and a second run exports only what changed."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from datetime import date

import pytest
from django.contrib.auth import get_user_model

from cityloop.access.actors import Actor
from cityloop.analytics import queries
from cityloop.analytics.store import Manifest, export_store, store_dir
from cityloop.appeals.enums import Channel, DecisionStatus
from cityloop.appeals.models import Appeal, AppealEvent
from cityloop.assessment import rates
from cityloop.demo.generator import generate_demo_city
from cityloop.evaluate.models import Callback
from cityloop.evaluate.services import decide_exclusion, request_exclusion
from cityloop.kernel import clock
from cityloop.taxonomy.models import Category

END = date(2026, 3, 31)
FIRST_DAY = date(2025, 12, 1)


@pytest.fixture
def store(settings, tmp_path):
    settings.CITYLOOP_ANALYTICS_DIR = str(tmp_path / "store")
    return tmp_path / "store"


@pytest.fixture
def demo(db):
    generate_demo_city(seed=11, appeals=500, days=120, streets_per_district=1, end=END)


def first_level(category: Category | None) -> int | None:
    while category is not None and category.parent_id is not None:
        category = category.parent
    return category.pk if category else None


def test_export_holds_the_record_and_its_counts(demo, store):
    summary = export_store(progress=None)
    assert summary.rows == {
        "appeals": Appeal.objects.count(),
        "callbacks": Callback.objects.count(),
        "events": AppealEvent.objects.count(),
    }
    assert len(summary.months_exported) == summary.months_in_record >= 4

    # the daily counts per street and first-level category, counted from the record
    expected: Counter[tuple[int, int, date]] = Counter()
    for appeal in Appeal.objects.select_related("category__parent__parent"):
        day = clock.local_date(appeal.received_at)
        if appeal.street_id and appeal.category_id and appeal.channel != Channel.PROACTIVE:
            expected[appeal.street_id, first_level(appeal.category), day] += 1
    rows = queries.daily_counts(since=FIRST_DAY, until=END, category_level=1)
    assert {(a, c, d): n for a, c, d, n in rows} == dict(expected)
    assert all(n > 0 for *_key, n in rows)

    some_grid = Appeal.objects.exclude(grid=None).first()
    assert some_grid is not None
    day = clock.local_date(some_grid.received_at)
    grid_rows = dict(((g, d), n) for g, d, n in queries.grid_day_counts(since=day, until=day))
    start = clock.start_of_day(day)
    assert (
        grid_rows[some_grid.grid_id, day]
        == Appeal.objects.filter(
            grid_id=some_grid.grid_id,
            received_at__gte=start,
            received_at__lt=clock.start_of_day(date.fromordinal(day.toordinal() + 1)),
        ).count()
    )

    behind = queries.appeals_in(
        area_id=some_grid.grid_id, area_level="grid", category_id=None, since=day, until=day
    )
    assert some_grid.pk in behind
    texts = {pk: text for pk, _day, text in queries.appeal_texts(since=day, until=day)}
    assert texts[some_grid.pk] == f"{some_grid.public_title}\n{some_grid.public_content}"

    # no personal data in the store
    columns = {row[0] for row in queries.connect().execute("DESCRIBE appeals").fetchall()}
    assert not columns & {"caller_name", "caller_phone", "caller_id_number"}


def test_the_stores_ranking_is_the_assessments(demo, store):
    export_store(progress=None)
    compared = 0
    for month in (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)):
        from_record = rates.monthly_ranking(month)
        from_store = queries.monthly_ranking(month)
        assert [asdict(row) for row in from_store.rows] == [asdict(row) for row in from_record.rows]
        assert from_store.minimum == from_record.minimum
        compared += len(from_record.rows)
    assert compared > 10


def test_a_second_run_exports_only_the_month_that_changed(demo, store):
    export_store(progress=None)
    again = export_store(progress=None)
    assert again.months_exported == [] and again.rows == {
        "appeals": 0,
        "callbacks": 0,
        "events": 0,
    }

    # an approved 剔除 on an appeal of February: only February is written again, and the
    # callback now counts as excluded in the store's ranking as in the record's
    callback = Callback.objects.filter(
        is_latest=True, is_valid=True, appeal__received_at__gte=clock.start_of_day(date(2026, 2, 1))
    ).first()
    assert callback is not None
    appeal = callback.appeal
    user = get_user_model().objects.create_superuser("analytics-admin", password="x")
    admin = Actor.from_user(user)
    request_exclusion(appeal.tracking_code, actor=admin, reason="非本单位原因")
    decide_exclusion(appeal.tracking_code, actor=admin, approve=True)
    assert appeal.exclusion.status == DecisionStatus.APPROVED
    month = f"{clock.local_date(appeal.received_at):%Y-%m}"
    before = Manifest.load(store_dir()).months

    changed = export_store(progress=None)
    assert changed.months_exported == [month]
    after = Manifest.load(store_dir()).months
    assert {m for m in after if after[m] != before[m]} == {month}
    excluded = (
        queries.connect()
        .execute("SELECT excluded FROM callbacks WHERE id = ?", [callback.pk])
        .fetchone()
    )
    assert excluded == (True,)
    assessed = clock.first_of_month(clock.local_date(callback.at))
    assert [asdict(r) for r in queries.monthly_ranking(assessed).rows] == [
        asdict(r) for r in rates.monthly_ranking(assessed).rows
    ]
    assert export_store(full=True, progress=None).months_exported == sorted(after)


def test_an_empty_store(db, store):
    assert queries.daily_counts(since=FIRST_DAY, until=END) == []
    assert queries.monthly_ranking(date(2026, 1, 1)).rows == []
    assert export_store(progress=None).months_exported == []
    manifest = json.loads((store / "manifest.json").read_text())
    assert manifest["months"] == {}


def test_levels_and_statements_are_checked(db, store):
    with pytest.raises(queries.BadQuery):
        queries.daily_counts(since=FIRST_DAY, until=END, area_level="province")
    with pytest.raises(queries.BadQuery):
        queries.daily_counts(since=FIRST_DAY, until=END, category_level=5)
    with pytest.raises(queries.BadQuery):
        queries.run_select("COPY appeals TO '/tmp/leak.csv'")
    with pytest.raises(queries.BadQuery):
        queries.run_select("SELECT 1; SELECT 2")
    assert queries.run_select("SELECT count(*) AS n FROM appeals") == (["n"], [(0,)])


def test_demand_counts_leave_out_proactive_work_and_match_categories_below(city, store):
    light = city.receive(title="路灯不亮", content="路灯坏了，电话13800138000")
    second = city.receive(street=1)
    proactive = city.receive(channel=Channel.PROACTIVE, title="主动排查路灯")
    export_store(progress=None)
    day = clock.local_date(light.received_at)
    first_level_id = first_level(light.category)
    assert first_level_id != light.category_id

    # the first-level category finds the appeals of the categories under it
    in_street = queries.appeals_in(
        area_id=light.street_id,
        area_level="street",
        category_id=first_level_id,
        category_level=1,
        since=day,
        until=day,
    )
    assert in_street == [light.pk]
    assert queries.appeals_in(
        area_id=light.street_id, area_level="street", category_id=first_level_id,
        since=day, until=day,
    ) == []  # fmt: skip
    by_grid = queries.grid_day_counts(since=day, until=day, category_id=first_level_id)
    assert sum(n for _grid, _day, n in by_grid) == 2
    counted = queries.daily_counts(since=day, until=day, area_level="district")
    assert counted == [(light.district_id, light.category_id, day, 2)]
    assert {pk for pk, _day, _text in queries.appeal_texts(since=day, until=day)} == {
        light.pk,
        second.pk,
    }
    assert proactive.pk not in {pk for pk, *_rest in queries.appeal_texts(since=day, until=day)}
    # the text is the masked public version: no phone number
    (text,) = [t for pk, _d, t in queries.appeal_texts(since=day, until=day) if pk == light.pk]
    assert "13800138000" not in text and "路灯坏了" in text


def test_a_month_left_on_disk_without_appeals_is_removed(city, store):
    city.receive()
    export_store(progress=None)
    stray = store / "appeals" / "month=2020-01" / "part.parquet"
    stray.parent.mkdir(parents=True)
    stray.write_bytes((next((store / "appeals").glob("*/part.parquet"))).read_bytes())
    assert queries.run_select("SELECT count(*) FROM appeals")[1] == [(2,)]
    assert export_store(progress=None).months_removed == ["2020-01"]
    assert not stray.exists()
    assert queries.run_select("SELECT count(*) FROM appeals")[1] == [(1,)]
