"""The demo's daily rhythm, shared with the early-warning evaluation: the week, the season,
the official holidays and make-up working days (调休) of the real calendar, and a trend."""

from __future__ import annotations

from datetime import date

import pytest

from cityloop.demo import rhythm, texts

HEATING = next(p for p in texts.CATEGORY_PROFILES if p.path[-1] == "冬季采暖")


def test_the_spring_festival_is_quieter_than_an_ordinary_sunday():
    festival_tuesday = date(2025, 2, 4)  # 春节 2025: 28 January to 4 February
    ordinary_sunday = date(2025, 2, 16)
    ordinary_tuesday = date(2025, 2, 11)
    weight = rhythm.day_weight
    assert rhythm.effective_weekday(festival_tuesday) == rhythm.SUNDAY
    assert weight(HEATING, festival_tuesday) < weight(HEATING, ordinary_sunday)
    assert weight(HEATING, ordinary_sunday) < weight(HEATING, ordinary_tuesday)


def test_a_saturday_worked_in_place_of_a_holiday_is_a_working_day():
    makeup_saturday = date(2025, 2, 8)  # 调休上班 after the 2025 Spring Festival
    ordinary_saturday = date(2025, 2, 15)
    assert rhythm.effective_weekday(makeup_saturday) == rhythm.WEDNESDAY
    assert rhythm.day_weight(HEATING, makeup_saturday) > rhythm.day_weight(
        HEATING, ordinary_saturday
    )


def test_the_trend_grows_by_the_year_and_the_season_by_the_month():
    a_year_later = rhythm.calendar_factor(date(2026, 3, 4)) / rhythm.calendar_factor(
        date(2025, 3, 5)
    )
    assert a_year_later == pytest.approx(1 + rhythm.TREND_PER_YEAR, rel=0.01)
    assert rhythm.day_weight(HEATING, date(2025, 12, 3)) > 50 * rhythm.day_weight(
        HEATING, date(2025, 7, 2)
    )
