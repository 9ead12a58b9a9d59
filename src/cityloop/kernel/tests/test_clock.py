"""The clock seam at the edges of the city's day and month: Beijing is UTC+8 all year (no
daylight saving), so from 00:00 to 08:00 local time the UTC date is still yesterday."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from cityloop.kernel import clock


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_half_past_midnight_on_the_first_is_already_the_new_month_locally():
    # 00:30 on 1 July in Beijing is 16:30 on 30 June in UTC.
    with clock.frozen_at(utc(2026, 6, 30, 16, 30)):
        assert clock.today() == date(2026, 7, 1)
        assert clock.this_month() == date(2026, 7, 1)
        assert clock.local_now().hour == 0 and clock.local_now().minute == 30
        assert clock.today_start() == utc(2026, 6, 30, 16, 0)


def test_half_past_eleven_on_the_last_day_is_still_the_old_month():
    # 23:30 on 31 July in Beijing is 15:30 on 31 July in UTC; 30 minutes later it is August.
    with clock.frozen_at(utc(2026, 7, 31, 15, 30)):
        assert clock.today() == date(2026, 7, 31)
        assert clock.this_month() == date(2026, 7, 1)
    with clock.frozen_at(utc(2026, 7, 31, 16, 0)):
        assert clock.this_month() == date(2026, 8, 1)


def test_new_year_boundary_in_both_directions():
    with clock.frozen_at(utc(2026, 12, 31, 16, 30)):
        assert clock.today() == date(2027, 1, 1)
        assert clock.this_month() == date(2027, 1, 1)
    assert clock.add_months(date(2027, 1, 1), -1) == date(2026, 12, 1)
    assert clock.add_months(date(2026, 12, 1), 1) == date(2027, 1, 1)
    assert clock.add_months(date(2026, 3, 1), -15) == date(2024, 12, 1)


def test_leap_day_is_a_day_of_its_own_and_february_has_29_days():
    with clock.frozen_at(utc(2028, 2, 28, 16, 30)):
        assert clock.today() == date(2028, 2, 29)
    start, end = clock.month_bounds(date(2028, 2, 29))
    assert start == utc(2028, 1, 31, 16, 0)
    assert end == utc(2028, 2, 29, 16, 0)
    assert end - start == timedelta(days=29)
    assert clock.month_bounds(date(2027, 2, 10))[1] - clock.month_bounds(date(2027, 2, 10))[
        0
    ] == timedelta(days=28)


@pytest.mark.parametrize("month", [1, 3, 4, 7, 10, 11, 12])
def test_every_local_day_is_24_hours_and_every_month_starts_at_local_midnight(month):
    # Asia/Shanghai has no daylight saving: the months of the old European and American
    # switches are as long as their days say.
    start, end = clock.month_bounds(date(2026, month, 15))
    assert timezone.localtime(start).hour == 0 and timezone.localtime(start).day == 1
    first = date(2026, month, 1)
    next_first = clock.add_months(first, 1)
    assert end - start == timedelta(days=(next_first - first).days)
    assert clock.start_of_day(date(2026, month, 2)) - clock.start_of_day(first) == timedelta(1)


def test_local_date_of_an_instant_is_not_its_utc_date():
    moment = utc(2026, 6, 30, 23, 59)
    assert moment.date() == date(2026, 6, 30)
    assert clock.local_date(moment) == date(2026, 7, 1)
    assert clock.local(moment).utcoffset() == timedelta(hours=8)


def test_frozen_at_nests_and_restores():
    outer, inner = utc(2026, 1, 1), utc(2026, 2, 1)
    with clock.frozen_at(outer):
        with clock.frozen_at(inner):
            assert clock.now() == inner
        assert clock.now() == outer
    assert abs(clock.now() - timezone.now()) < timedelta(seconds=5)
