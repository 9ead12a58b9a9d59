"""The count model on synthetic series with a known answer: a weekly rhythm, a season and
holidays are expected, a spike is not."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from cityloop.warning.countmodel import count_model, fit_quasi_poisson, upper_quantiles
from cityloop.warning.ears import ears

START = date(2024, 1, 1)
DAYS = [START + timedelta(days=offset) for offset in range(730)]
HOLIDAYS = (
    {date(2024, 2, 10) + timedelta(days=offset) for offset in range(8)}
    | {date(2024, 10, 1) + timedelta(days=offset) for offset in range(7)}
    | {date(2025, 1, 28) + timedelta(days=offset) for offset in range(8)}
)


def _rhythmic_city(seed: int = 14) -> np.ndarray:
    """Weekends three times as busy as weekdays, a summer high, holidays nearly silent."""
    rate = np.array([30.0 if day.weekday() >= 5 else 12.0 for day in DAYS])
    rate *= 1 + 0.3 * np.sin(2 * np.pi * np.arange(len(DAYS)) / 365.25)
    rate = np.where([day in HOLIDAYS for day in DAYS], 4.0, rate)
    return np.random.default_rng(seed).poisson(rate).astype(float)


def _expected_days() -> set[int]:
    """Weekends, holidays and the first day back after each holiday: where EARS cries wolf."""
    back = {i for i in range(1, len(DAYS)) if DAYS[i - 1] in HOLIDAYS and DAYS[i] not in HOLIDAYS}
    return {i for i, day in enumerate(DAYS) if day.weekday() >= 5 or day in HOLIDAYS} | back


def test_weekend_peaks_and_holidays_raise_no_alarm():
    counts = _rhythmic_city()
    alarms = {day.index for day in count_model(DAYS, counts, HOLIDAYS) if day.alarm}
    ears_alarms = {day.index for day in ears(counts, "c1") if day.alarm}

    assert not alarms & _expected_days()
    assert len(alarms) <= 2, "about one false alarm in a thousand days at alpha 0.001"
    assert ears_alarms & _expected_days(), "the same series makes EARS C1 cry wolf"


def test_a_spike_alarms_on_its_day():
    counts = _rhythmic_city()
    spike = 600  # a Saturday, already a busy day
    counts[spike] += 25
    results = {day.index: day for day in count_model(DAYS, counts, HOLIDAYS)}

    assert results[spike].alarm
    assert counts[spike] > results[spike].threshold
    assert not any(results[i].alarm for i in range(spike - 14, spike))


def test_an_earlier_incident_in_the_baseline_does_not_hide_a_later_one():
    counts = _rhythmic_city()
    counts[520:527] += 30  # a week-long incident
    counts[560] += 25  # a Monday, five weeks later, well inside the baseline's reach
    results = {day.index: day for day in count_model(DAYS, counts, HOLIDAYS)}

    assert all(results[i].alarm for i in range(520, 527))
    assert results[560].alarm, "the first incident's days are left out of the refit"


def test_weekend_days_worked_in_place_of_a_holiday_are_expected_busy():
    """Quiet weekends, but the make-up working days (调休) of the real 2024 calendar are as
    busy as weekdays: ours knows them, EARS takes them for a rise."""
    from cityloop.warning.detect import official_holidays, official_makeup_workdays

    holidays, workdays = official_holidays(), official_makeup_workdays()
    working = [(day.weekday() < 5 or day in workdays) and day not in holidays for day in DAYS[:500]]
    rate = np.where(working, 25.0, 6.0)
    counts = np.random.default_rng(5).poisson(rate).astype(float)
    makeup = {i for i, day in enumerate(DAYS[:500]) if day in workdays}
    results = count_model(DAYS[:500], counts, holidays, 0.001, makeup_workdays=workdays)
    ours = {day.index for day in results if day.alarm}
    ears_alarms = {day.index for day in ears(counts, "c1") if day.alarm}

    assert len(makeup) >= 8
    assert not ours & makeup
    assert ears_alarms & makeup


def test_the_days_before_a_baseline_of_four_weeks_are_left_out():
    results = count_model(DAYS[:60], _rhythmic_city()[:60], HOLIDAYS)
    assert [day.index for day in results] == list(range(35, 60))


def test_irls_recovers_known_coefficients():
    rng = np.random.default_rng(3)
    x = np.column_stack([np.ones(5000), rng.integers(0, 2, 5000)])
    y = rng.poisson(np.exp(x @ np.array([2.0, 0.5]))).astype(float)
    fit = fit_quasi_poisson(x, y)
    assert fit.beta == pytest.approx([2.0, 0.5], abs=0.02)
    assert fit.dispersion == pytest.approx(1.0, abs=0.1)
    # the textbook standard error of the intercept: 1 / sqrt(sum of mu over the x=0 rows)
    rows_at_zero = (x[:, 1] == 0).sum()
    assert np.sqrt(fit.covariance[0, 0]) == pytest.approx(
        1 / np.sqrt(np.exp(2.0) * rows_at_zero), rel=0.1
    )


def test_the_threshold_is_the_poisson_or_negative_binomial_quantile():
    poisson, over_dispersed = upper_quantiles(np.array([10.0, 10.0]), np.array([10.0, 30.0]), 0.999)
    assert poisson == 21.0  # Poisson(10): P(Y <= 20) < 0.999 <= P(Y <= 21)
    assert over_dispersed > 21.0


def test_a_season_that_switches_on_is_expected_the_next_year():
    """Heating calls: few all summer, eight times as many from the first of November (a step,
    not a wave). Having seen last November, ours expects this one; EARS cries wolf."""
    days = [date(2024, 1, 1) + timedelta(days=offset) for offset in range(760)]
    heating = np.array([day.month in (11, 12, 1, 2, 3) for day in days])
    counts = np.random.default_rng(8).poisson(np.where(heating, 40.0, 5.0)).astype(float)
    switch_on = days.index(date(2025, 11, 1))
    first_weeks = range(switch_on, switch_on + 14)
    results = {day.index: day for day in count_model(days, counts)}
    ears_alarms = {day.index for day in ears(counts, "c1") if day.alarm}

    assert not any(results[i].alarm for i in first_weeks)
    assert results[switch_on].expected > 25
    assert ears_alarms & set(first_weeks)
