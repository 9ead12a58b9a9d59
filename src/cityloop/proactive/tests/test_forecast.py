"""The weekly forecast on series with a known answer, and MASE computed as defined."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from cityloop.proactive.forecast import (
    ForecastError,
    backtest,
    forecast,
    has_annual_season,
    mase,
    seasonal_naive,
    seasonal_naive_scale,
    seasonal_shape,
)

FIRST_MONDAY = date(2023, 1, 2)


def mondays(n: int) -> list[date]:
    return [FIRST_MONDAY + timedelta(weeks=i) for i in range(n)]


def seasonal_series(n: int, base: float, amplitude: float = 0.6, seed: int = 1) -> np.ndarray:
    """Poisson counts with an annual season (high in winter): log mean = log base +
    amplitude * cos(day of year)."""
    rng = np.random.default_rng(seed)
    angle = 2 * np.pi * np.array([m.toordinal() for m in mondays(n)]) / 365.25
    return rng.poisson(base * np.exp(amplitude * np.cos(angle))).astype(float)


def test_mase_on_a_hand_example_with_season_two():
    # in-sample 1 2 3 5 7 8, m = 2: seasonal-naive errors |3-1| |5-2| |7-3| |8-5| = 2 3 4 3
    insample = np.array([1, 2, 3, 5, 7, 8])
    assert seasonal_naive_scale(insample, m=2) == pytest.approx(3.0)
    # forecasts 9 9 against 10 12: errors 1 and 3, mean 2, scaled by 3
    assert mase(np.array([10, 12]), np.array([9, 9]), insample, m=2) == pytest.approx(2 / 3)


def test_seasonal_naive_repeats_the_same_week_one_season_earlier():
    history = np.arange(10, dtype=float)
    assert list(seasonal_naive(history, 3, m=4)) == [6.0, 7.0, 8.0]


def test_mase_is_nan_when_the_history_never_changes_from_season_to_season():
    assert np.isnan(mase(np.array([1.0]), np.array([1.0]), np.ones(6), m=2))


def test_the_model_beats_seasonal_naive_on_a_seasonal_series():
    # Poisson noise around a known season: the true mean's MASE is about 1/sqrt(2) ~ 0.71
    # (seasonal-naive carries the noise of two weeks), seasonal-naive's own about 1
    scores = [backtest(mondays(208), seasonal_series(208, 20, seed=s), 4) for s in range(3)]
    assert all(scored.origins > 90 for scored in scores)
    assert np.mean([scored.mase for scored in scores]) < 0.8
    assert all(scored.mase < 0.85 * scored.naive_mase for scored in scores)


def test_the_forecast_follows_the_season_and_its_band_holds_the_mean():
    weeks, counts = mondays(130), seasonal_series(130, base=30)
    ahead = forecast(weeks, counts, 8)
    # the last week is late June 2025; eight weeks on is mid-August: still near the summer
    # low of 30 * exp(-0.6) ~ 16, far below the winter high of 30 * exp(0.6) ~ 55
    assert ahead.weeks[0] == weeks[-1] + timedelta(weeks=1)
    assert all(10 < mean < 25 for mean in ahead.mean)
    assert (ahead.lower <= ahead.mean).all() and (ahead.mean <= ahead.upper).all()
    winter = forecast(mondays(100), counts[:100], 4)  # last week late November 2024
    assert winter.mean.mean() > 1.8 * ahead.mean.mean()


def test_a_one_week_incident_does_not_come_back_next_year():
    weeks = mondays(110)
    counts = np.full(110, 10.0)
    counts[60] = 200  # a burst main: one week
    ahead = forecast(weeks, counts, 8)  # covers week 112..: not an anniversary of week 60
    assert ahead.mean.max() < 13


def test_annual_season_is_found_only_where_there_is_one():
    weeks = mondays(120)
    assert has_annual_season(weeks, seasonal_series(120, base=10))
    flat = np.random.default_rng(3).poisson(10, 120).astype(float)
    assert not has_annual_season(weeks, flat)


def test_a_quiet_series_is_forecast_as_quiet():
    ahead = forecast(mondays(20), np.zeros(20), 3)
    assert list(ahead.mean) == [0, 0, 0]


@pytest.mark.parametrize(
    ("weeks", "counts", "horizon", "message"),
    [
        (mondays(10), np.ones(10), 9, "horizon"),
        (mondays(10), np.ones(10), 0, "horizon"),
        (mondays(10), np.ones(9), 2, "weeks but"),
        (mondays(10), -np.ones(10), 2, "negative"),
        ([FIRST_MONDAY, FIRST_MONDAY + timedelta(days=8)], np.ones(2), 1, "7 days"),
    ],
)
def test_bad_series_are_refused_with_a_reason(weeks, counts, horizon, message):
    with pytest.raises(ForecastError, match=message):
        forecast(weeks, counts, horizon)


def test_a_backtest_needs_more_than_a_season_of_history():
    with pytest.raises(ForecastError, match="more than 56 weeks"):
        backtest(mondays(55), np.ones(55), horizon=4)


def test_a_sparse_series_borrows_the_season_of_its_city_total():
    weeks = mondays(100)  # the last week is late November 2024: winter ahead
    total = seasonal_series(100, base=200, amplitude=0.8, seed=4)
    sparse = seasonal_series(100, base=1, amplitude=0.8, seed=5)
    shape = seasonal_shape(weeks, total, 8)
    pooled = forecast(weeks, sparse, 8, shape=shape)
    # winter is exp(0.8) ~ 2.2 times the average week: the pooled forecast knows it
    assert 1.6 < pooled.mean.mean() < 3.0
    with pytest.raises(ForecastError, match="shape needs 108"):
        forecast(weeks, sparse, 8, shape=shape[:-1])


def test_the_pooled_backtest_sees_nothing_after_the_origin():
    weeks, counts = mondays(120), seasonal_series(120, base=5, seed=6)
    future_spike = np.concatenate([np.full(110, 100.0), np.full(10, 100000.0)])
    honest = backtest(weeks, counts, 4, first_origin=100, pooled=np.full(120, 100.0))
    leaked = backtest(weeks, counts, 4, first_origin=100, pooled=future_spike)
    # origins up to 110 cannot see the spike that starts at week 110
    assert np.allclose(honest.errors[:7], leaked.errors[:7])
