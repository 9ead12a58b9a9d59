"""Weekly appeal volume for the coming weeks, and how well that forecast would have done.

Pure numbers: weeks in, forecasts and scores out (no database; proactive.selectors makes the
series). The model is a quasi-Poisson log-linear regression of a week's count on
- an intercept,
- a linear trend once the history covers TREND_FROM_WEEKS (a city grows, a rule changes),
- annual harmonics (HARMONICS pairs of sin/cos) once it covers SEASON_FROM_WEEKS: heating
  in winter, flooding and noise in summer come back every year,
- the share of the week's days that are Spring Festival or Golden Week holidays (the
  chinese_calendar package: the hotline is quiet then, and busy just after),
fitted by penalised IRLS: the seasonal and holiday terms are shrunk a little towards zero, so
that two winters or two Spring Festivals do not make a wild curve. Weeks whose Pearson
residual is above OUTLIER_RESIDUAL (an incident: a burst main, a cluster) are left out of a
second fit, so a one-off does not come back next year.

The prediction interval is that of a negative binomial with the fitted mean and a variance
made of the over-dispersion and the uncertainty of the fitted mean (as the warning count
model does: warning.countmodel.upper_quantiles).

The backtest is a rolling origin against seasonal-naive (the same week last year), scored by
MASE (Hyndman & Koehler 2006): the mean absolute error of the forecasts divided by the mean
absolute error of the in-sample seasonal-naive forecast (seasonality 52) on the history
before the origin. Below 1 the model beats last year's week as a guess. The point forecast
scored is the predictive median (the forecast that minimises an absolute error; the mean
is drawn on the pages): for a district's few appeals a week the two differ.

Measured on the demo city (`cityloop demo --days 800 --appeals 30000 --seed 7`, 103 district
× category series, horizon 4, rolling origin from week 83 of 114): the model alone MASE
0.795 on average; with the category's season pooled over the city (seasonal_shape) 0.786,
0.786 on the 27 series with an annual season; seasonal-naive 1.05.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import chinese_calendar
import numpy as np
from scipy import stats

from cityloop.warning.countmodel import upper_quantiles

SEASONALITY = 52  # weeks in a seasonal cycle (MASE's m)
MAX_HORIZON = 8
HARMONICS = 2
TREND_FROM_WEEKS = 52
SEASON_FROM_WEEKS = 40
OUTLIER_RESIDUAL = 4.0
# Ridge penalty on the terms the data sees rarely (per unit of Poisson weight); the
# intercept and trend are free.
SEASON_PENALTY = 2.0
HOLIDAY_PENALTY = 4.0
# The trend is shrunk too: two years of a seasonal series say little about a slope, and a
# wrong slope is carried into every week ahead (measured on the demo city: MASE 0.81 free,
# 0.79 shrunk).
TREND_PENALTY = 20.0
# With a pooled season (seasonal_shape), the series' own seasonal terms only correct it.
POOLED_PENALTY_FACTOR = 20.0
INTERVAL_LEVEL = 0.8  # the band drawn around a forecast: 10% to 90%
# An annual season is "there" when the harmonics lower the deviance this much (chi-square,
# 2 * HARMONICS degrees of freedom, after the over-dispersion).
SEASONALITY_P_VALUE = 0.01

HOLIDAY_NAMES = ("Spring Festival", "National Day")


class ForecastError(ValueError):
    """The series cannot be forecast or scored as asked; the message says why."""


@dataclass(frozen=True)
class Forecast:
    weeks: list[date]  # the Monday of each forecast week
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    median: np.ndarray  # the point forecast scored by MASE: absolute error is least there


@dataclass(frozen=True)
class Backtest:
    origins: int  # how many forecast origins were scored
    mase: float  # the model's
    naive_mase: float  # seasonal-naive's, on the same scale (about 1 when the season repeats)
    errors: np.ndarray  # absolute errors of the model, origin × horizon
    naive_errors: np.ndarray


@cache
def _holiday_days(name: str) -> frozenset[date]:
    return frozenset(
        day
        for day, holiday in chinese_calendar.holidays.items()
        if holiday == name  # type: ignore[attr-defined]
    )


def _holiday_columns(weeks: Sequence[date]) -> np.ndarray:
    """Per week, the share of its 7 days inside each holiday of HOLIDAY_NAMES. Years the
    package does not know count as no holiday."""
    columns = np.zeros((len(weeks), len(HOLIDAY_NAMES)))
    for j, name in enumerate(HOLIDAY_NAMES):
        days = _holiday_days(name)
        for i, monday in enumerate(weeks):
            columns[i, j] = sum((monday + timedelta(d)) in days for d in range(7)) / 7
    return columns


def _design(weeks: Sequence[date], first: date, n_train: int) -> tuple[np.ndarray, np.ndarray]:
    """The design matrix for these weeks and the ridge penalty of each column, with the
    terms a history of `n_train` weeks can support."""
    ordinals = np.array([(monday - first).days for monday in weeks], dtype=float)
    columns, penalties = [np.ones(len(weeks))], [0.0]
    if n_train >= TREND_FROM_WEEKS:
        columns.append(ordinals / 365.25)
        penalties.append(TREND_PENALTY)
    if n_train >= SEASON_FROM_WEEKS:
        angle = 2 * np.pi * np.array([m.toordinal() for m in weeks], float) / 365.25
        for k in range(1, HARMONICS + 1):
            columns += [np.sin(k * angle), np.cos(k * angle)]
            penalties += [SEASON_PENALTY, SEASON_PENALTY]
    holidays = _holiday_columns(weeks)
    for j in range(holidays.shape[1]):
        columns.append(holidays[:, j])
        penalties.append(HOLIDAY_PENALTY)
    return np.column_stack(columns), np.array(penalties)


@dataclass(frozen=True)
class _Fit:
    beta: np.ndarray
    dispersion: float
    covariance: np.ndarray
    deviance: float


def _fit(
    x: np.ndarray,
    y: np.ndarray,
    penalties: np.ndarray,
    offset: np.ndarray | None = None,
    iterations: int = 50,
) -> _Fit:
    """Penalised Poisson IRLS with the quasi-Poisson dispersion (at least 1); `offset` is a
    known part of the log mean (a pooled seasonal shape)."""
    n, p = x.shape
    offset = np.zeros(n) if offset is None else offset
    beta = np.zeros(p)
    beta[0] = np.log(max(float(y.mean()), 0.05)) - float(offset.mean())
    # the penalty grows with the data's weight, so it means the same for big and small series
    penalty = np.diag(penalties) * max(float(y.mean()), 0.05) + 1e-8 * np.eye(p)
    for _ in range(iterations):
        eta = np.clip(x @ beta + offset, -30, 30)
        mu = np.exp(eta)
        z = eta - offset + (y - mu) / mu
        weighted = x * mu[:, None]
        new = np.linalg.solve(x.T @ weighted + penalty, weighted.T @ z)
        done = np.max(np.abs(new - beta)) < 1e-8
        beta = new
        if done:
            break
    mu = np.exp(np.clip(x @ beta + offset, -30, 30))
    dispersion = max(float(np.sum((y - mu) ** 2 / mu) / max(n - p, 1)), 1.0)
    information = x.T @ (x * mu[:, None]) + penalty
    with np.errstate(divide="ignore", invalid="ignore"):
        deviance = 2 * float(np.sum(np.where(y > 0, y * np.log(y / mu), 0.0) - (y - mu)))
    return _Fit(beta, dispersion, dispersion * np.linalg.inv(information), deviance)


def _robust_fit(
    x: np.ndarray, y: np.ndarray, penalties: np.ndarray, offset: np.ndarray | None = None
) -> _Fit:
    offset = np.zeros(len(y)) if offset is None else offset
    fit = _fit(x, y, penalties, offset)
    mu = np.exp(np.clip(x @ fit.beta + offset, -30, 30))
    keep = (y - mu) / np.sqrt(fit.dispersion * mu) <= OUTLIER_RESIDUAL
    if not keep.all() and keep.sum() > x.shape[1] + 4:
        fit = _fit(x[keep], y[keep], penalties, offset[keep])
    return fit


def _check(weeks: Sequence[date], counts: np.ndarray) -> np.ndarray:
    y = np.asarray(counts, dtype=float)
    if len(weeks) != len(y):
        raise ForecastError(f"{len(weeks)} weeks but {len(y)} counts")
    if len(y) == 0:
        raise ForecastError("an empty series cannot be forecast")
    if (y < 0).any() or not np.isfinite(y).all():
        raise ForecastError("counts must be finite and not negative")
    if any((b - a).days != 7 for a, b in itertools.pairwise(weeks)):
        raise ForecastError("weeks must follow each other 7 days apart")
    return y


def check_horizon(horizon: int) -> None:
    if not 1 <= horizon <= MAX_HORIZON:
        raise ForecastError(f"the horizon must be 1 to {MAX_HORIZON} weeks, not {horizon}")


def seasonal_shape(weeks: Sequence[date], total: np.ndarray, horizon: int) -> np.ndarray:
    """The season and holidays of a larger series (a category's city total), as a log-scale
    offset for `weeks` and the `horizon` weeks after: a district's series is short of
    appeals to learn its season from, the city's is not, and heating comes in every
    district in the same weeks."""
    y = _check(weeks, total)
    ahead = [weeks[-1] + timedelta(weeks=h) for h in range(1, horizon + 1)]
    if not y.any():
        return np.zeros(len(y) + horizon)
    x, penalties = _design(list(weeks) + ahead, weeks[0], len(y))
    fit = _robust_fit(x[: len(y)], y, penalties)
    shaped = penalties > 0
    return x[:, shaped] @ fit.beta[shaped]


def forecast(
    weeks: Sequence[date],
    counts: np.ndarray,
    horizon: int,
    level: float = INTERVAL_LEVEL,
    shape: np.ndarray | None = None,
) -> Forecast:
    """The next `horizon` weeks after the last of `weeks`, with a central `level` interval.
    With a pooled `shape` (seasonal_shape, len(weeks) + horizon values) the series' own
    season is only a deviation from it, shrunk POOLED_PENALTY_FACTOR times harder."""
    check_horizon(horizon)
    y = _check(weeks, counts)
    ahead = [weeks[-1] + timedelta(weeks=h) for h in range(1, horizon + 1)]
    if not y.any():
        zeros = np.zeros(horizon)
        return Forecast(ahead, zeros, zeros, zeros, zeros)
    x, penalties = _design(list(weeks) + ahead, weeks[0], len(y))
    offset = np.zeros(len(y) + horizon)
    if shape is not None:
        if len(shape) != len(y) + horizon:
            raise ForecastError(f"the shape needs {len(y) + horizon} values, got {len(shape)}")
        offset, penalties = shape, penalties * POOLED_PENALTY_FACTOR
    fit = _robust_fit(x[: len(y)], y, penalties, offset[: len(y)])
    x_ahead = x[len(y) :]
    mean = np.exp(np.clip(x_ahead @ fit.beta + offset[len(y) :], -30, 30))
    variance = fit.dispersion * mean + mean**2 * np.einsum(
        "ij,jk,ik->i", x_ahead, fit.covariance, x_ahead
    )
    tail = (1.0 - level) / 2
    lower = np.maximum(upper_quantiles(mean, variance, tail), 0.0)
    upper = upper_quantiles(mean, variance, 1.0 - tail)
    median = upper_quantiles(mean, variance, 0.5)
    return Forecast(ahead, mean, lower, upper, median)


def seasonal_naive(counts: np.ndarray, horizon: int, m: int = SEASONALITY) -> np.ndarray:
    """The same week one season earlier, for each of the next `horizon` weeks."""
    y = np.asarray(counts, dtype=float)
    if len(y) < m or horizon > m:
        raise ForecastError(f"seasonal-naive needs {m} weeks of history and a horizon up to {m}")
    n = len(y)
    return np.array([y[n + h - 1 - m] for h in range(1, horizon + 1)])


def seasonal_naive_scale(insample: np.ndarray, m: int = SEASONALITY) -> float:
    """MASE's denominator: the in-sample mean absolute error of the seasonal-naive forecast,
    (1 / (n - m)) * sum over t = m+1..n of |y_t - y_(t-m)|."""
    y = np.asarray(insample, dtype=float)
    if len(y) <= m:
        raise ForecastError(f"MASE needs more than {m} in-sample values, got {len(y)}")
    return float(np.mean(np.abs(y[m:] - y[:-m])))


def mase(
    actual: np.ndarray, predicted: np.ndarray, insample: np.ndarray, m: int = SEASONALITY
) -> float:
    """Mean absolute scaled error of `predicted` against `actual` (NaN when the in-sample
    seasonal-naive error is zero: nothing to scale by)."""
    scale = seasonal_naive_scale(insample, m)
    errors = np.abs(np.asarray(actual, float) - np.asarray(predicted, float))
    return float(np.mean(errors) / scale) if scale > 0 else float("nan")


def backtest(
    weeks: Sequence[date],
    counts: np.ndarray,
    horizon: int = 4,
    first_origin: int | None = None,
    pooled: np.ndarray | None = None,
) -> Backtest:
    """Rolling origin: at each week from `first_origin` (default: two seasons in, or one
    season and half the rest) to the last that leaves `horizon` weeks to check, fit on the
    weeks before it and forecast the next `horizon`. The scaled errors of every origin
    (each by its own in-sample seasonal-naive error) are averaged."""
    check_horizon(horizon)
    y = _check(weeks, counts)
    n = len(y)
    if first_origin is None:
        first_origin = max(SEASONALITY + 8, min(2 * SEASONALITY, (n + SEASONALITY) // 2))
    if first_origin <= SEASONALITY or first_origin + horizon > n:
        raise ForecastError(
            f"a backtest with horizon {horizon} needs more than {SEASONALITY + horizon} weeks "
            f"of history, got {n}"
        )
    model_rows, naive_rows, scales = [], [], []
    for origin in range(first_origin, n - horizon + 1):
        history, actual = y[:origin], y[origin : origin + horizon]
        scale = seasonal_naive_scale(history)
        if scale == 0:
            continue
        shape = None
        if pooled is not None:
            shape = seasonal_shape(weeks[:origin], pooled[:origin], horizon)
        ahead = forecast(weeks[:origin], history, horizon, shape=shape)
        predicted = ahead.median
        model_rows.append(np.abs(actual - predicted))
        naive_rows.append(np.abs(actual - seasonal_naive(history, horizon)))
        scales.append(scale)
    if not scales:
        nan = float("nan")
        empty = np.zeros((0, horizon))
        return Backtest(0, nan, nan, empty, empty)
    errors, naive_errors = np.array(model_rows), np.array(naive_rows)
    scale_column = np.array(scales)[:, None]
    return Backtest(
        len(scales),
        float(np.mean(errors / scale_column)),
        float(np.mean(naive_errors / scale_column)),
        errors,
        naive_errors,
    )


def has_annual_season(weeks: Sequence[date], counts: np.ndarray) -> bool:
    """Whether the annual harmonics explain the series better than chance (a deviance test
    against the model without them, scaled by the over-dispersion)."""
    y = _check(weeks, counts)
    if len(y) < SEASONALITY or not y.any():
        return False
    x, penalties = _design(weeks, weeks[0], len(y))
    season = [i for i, p in enumerate(penalties) if p == SEASON_PENALTY]
    without = [i for i in range(x.shape[1]) if i not in season]
    full = _fit(x, y, penalties)
    reduced = _fit(x[:, without], y, penalties[without])
    drop = max(reduced.deviance - full.deviance, 0.0) / full.dispersion
    return bool(stats.chi2.sf(drop, len(season)) < SEASONALITY_P_VALUE)
