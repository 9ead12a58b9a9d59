"""The count model ("ours"): a quasi-Poisson regression that knows the week, the season, the
trend and holidays, fitted afresh for each day on the days before it.

EARS compares a day with the 7 days before it, so every Monday after a quiet weekend and
every working day after the Spring Festival looks like a rise. Here the expected count of a
day comes from a log-linear model over a long moving baseline (up to a year, ending a week
before the day so that a rise that has begun does not hide itself), with
- day of week (6 dummies),
- an annual harmonic (sin, cos) once the baseline covers most of a year,
- a linear trend once it covers 8 weeks,
- a holiday flag when the baseline holds holidays.
The day alarms when its count exceeds the upper (1 - alpha) quantile of a negative binomial
with the fitted mean and the fitted over-dispersion (quasi-Poisson variance phi * mu).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import stats

BASELINE_DAYS = 365
GUARD_DAYS = 7  # the week before the day is left out of its baseline
MIN_BASELINE_DAYS = 28
TREND_FROM_DAYS = 56
SEASON_FROM_DAYS = 300
RIDGE = 1e-6  # keeps IRLS solvable when a column is constant in the window
# Days whose Pearson residual exceeds this in a first fit are earlier outbreaks: they are
# left out of the refit, so that last month's incident does not raise today's threshold.
OUTLIER_RESIDUAL = 3.0


@dataclass(frozen=True)
class CountModelDay:
    index: int
    expected: float
    dispersion: float
    threshold: float  # the day alarms when its count is above this
    alarm: bool


def _design(
    ordinals: np.ndarray, weekdays: np.ndarray, holiday: np.ndarray, origin: int, n_base: int
) -> np.ndarray:
    columns = [np.ones(len(ordinals))]
    columns += [(weekdays == wd).astype(float) for wd in range(1, 7)]
    if n_base >= TREND_FROM_DAYS:
        columns.append((ordinals - origin) / 365.25)
    if n_base >= SEASON_FROM_DAYS:
        angle = 2 * np.pi * ordinals / 365.25
        columns += [np.sin(angle), np.cos(angle)]
    columns.append(holiday)
    return np.column_stack(columns)


def fit_quasi_poisson(
    x: np.ndarray, y: np.ndarray, start: np.ndarray | None = None, iterations: int = 50
) -> tuple[np.ndarray, float]:
    """Poisson log-linear coefficients by iteratively reweighted least squares, and the
    Pearson dispersion (at least 1)."""
    n, p = x.shape
    if start is None or start.shape != (p,):
        start = np.zeros(p)
        start[0] = np.log(max(y.mean(), 0.5))
    beta = start
    penalty = RIDGE * np.eye(p)
    penalty[0, 0] = 0.0
    for _ in range(iterations):
        eta = np.clip(x @ beta, -30, 30)
        mu = np.exp(eta)
        z = eta + (y - mu) / mu
        weighted = x * mu[:, None]
        new = np.linalg.solve(x.T @ weighted + penalty, weighted.T @ z)
        if np.max(np.abs(new - beta)) < 1e-8:
            beta = new
            break
        beta = new
    mu = np.exp(np.clip(x @ beta, -30, 30))
    dispersion = float(np.sum((y - mu) ** 2 / mu) / max(n - p, 1))
    return beta, max(dispersion, 1.0)


def upper_quantile(mean: float, dispersion: float, level: float) -> float:
    """The `level` quantile of a count with this mean and variance dispersion * mean."""
    if dispersion <= 1.0 + 1e-9:
        return float(stats.poisson.ppf(level, mean))
    size = mean / (dispersion - 1.0)
    return float(stats.nbinom.ppf(level, size, 1.0 / dispersion))


def count_model(
    dates: Sequence[date],
    counts: np.ndarray,
    holidays: Collection[date] = (),
    alpha: float = 0.001,
) -> list[CountModelDay]:
    """One result per day that has at least MIN_BASELINE_DAYS of baseline; earlier days are
    left out."""
    y_all = np.asarray(counts, dtype=float)
    ordinals = np.array([day.toordinal() for day in dates], dtype=float)
    weekdays = np.array([day.weekday() for day in dates])
    holiday = np.array([day in holidays for day in dates], dtype=float)
    results: list[CountModelDay] = []
    beta: np.ndarray | None = None
    for t in range(MIN_BASELINE_DAYS + GUARD_DAYS, len(dates)):
        end = t - GUARD_DAYS
        begin = max(0, end - BASELINE_DAYS)
        n_base = end - begin
        rows = slice(begin, end)
        x = _design(ordinals[rows], weekdays[rows], holiday[rows], int(ordinals[t]), n_base)
        y = y_all[rows]
        if not holiday[rows].any():
            x = x[:, :-1]  # nothing to learn a holiday effect from
        beta, dispersion = fit_quasi_poisson(x, y, beta)
        mu = np.exp(np.clip(x @ beta, -30, 30))
        keep = (y - mu) / np.sqrt(dispersion * mu) <= OUTLIER_RESIDUAL
        if not keep.all() and keep.sum() > x.shape[1] + 7:
            beta, dispersion = fit_quasi_poisson(x[keep], y[keep], beta)
        day_x = _design(
            ordinals[t : t + 1], weekdays[t : t + 1], holiday[t : t + 1], int(ordinals[t]), n_base
        )[:, : x.shape[1]]
        expected = float(np.exp(np.clip(day_x @ beta, -30, 30))[0])
        threshold = upper_quantile(expected, dispersion, 1.0 - alpha)
        alarm = bool(y_all[t] > threshold)
        results.append(CountModelDay(t, expected, dispersion, threshold, alarm))
    return results
