"""The CDC EARS methods C1, C2 and C3 on a daily count series, computed as R's
`surveillance::earsC` computes them (its fixture in tests/fixtures/ is the proof).

For a day t with a baseline of b days (default 7):
- C1: mean and sample sd (n - 1) of days t-b … t-1; upper bound = mean + z * sd.
- C2: the same over t-b-2 … t-3 (a two-day guard gap, so a rise that began yesterday does
  not raise its own baseline).
- C3: from the C2 statistics C2(s) = (y(s) - mean(s)) / sd(s), upper bound =
  y(t) + sd(t) * (z - max(0, C2(t-2) - 1) - max(0, C2(t-1) - 1)), floored at 0.
  Note that, exactly as in earsC, the day's own C2 does not enter: C3 alarms when the two
  days before it were already high.
z = qnorm(1 - alpha); sd is raised to min_sigma (default 0, as in earsC). A day alarms when
its count is above the upper bound. A zero sd gives R's infinities and NaN; a NaN bound
means "no decision" (R's NA alarm).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

EARS_METHODS = ("c1", "c2", "c3")
# The first day (0-based) each method decides, for the default baseline of 7.
_EXTRA_LAG = {"c1": 0, "c2": 2, "c3": 4}


@dataclass(frozen=True)
class EarsDay:
    index: int
    upperbound: float  # NaN: no decision
    alarm: bool


def _baseline_stats(y: np.ndarray, days: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Mean and sample sd of y over days - offsets, one row per day."""
    window = y[days[:, None] - offsets[None, :]]
    return np.stack([window.mean(axis=1), window.std(axis=1, ddof=1)])


def ears(
    counts: np.ndarray,
    method: str,
    alpha: float = 0.001,
    baseline: int = 7,
    min_sigma: float = 0.0,
) -> list[EarsDay]:
    """One result per day from the first day the method can decide (earsC's default range:
    day baseline+1, +3, +5 in R's 1-based counting) to the end of the series."""
    if method not in EARS_METHODS:
        raise ValueError(f"unknown EARS method {method!r}")
    y = np.asarray(counts, dtype=float)
    first = baseline + _EXTRA_LAG[method]
    if len(y) <= first:
        return []
    days = np.arange(first, len(y))
    z = float(stats.norm.ppf(1 - alpha))
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "c1":
            mean, sd = _baseline_stats(y, days, np.arange(1, baseline + 1))
            bound = mean + z * np.maximum(sd, min_sigma)
        elif method == "c2":
            mean, sd = _baseline_stats(y, days, np.arange(3, baseline + 3))
            bound = mean + z * np.maximum(sd, min_sigma)
        else:
            c2_days = np.arange(first - 2, len(y))
            mean, sd = _baseline_stats(y, c2_days, np.arange(3, baseline + 3))
            sigma = np.maximum(sd, min_sigma)
            c2 = (y[c2_days] - mean) / sigma
            lag2 = np.maximum(0.0, c2[:-2] - 1)
            lag1 = np.maximum(0.0, c2[1:-1] - 1)
            bound = np.maximum(0.0, y[days] + sigma[2:] * (z - (lag2 + lag1)))
    alarm = y[days] > bound
    return [
        EarsDay(int(day), float(limit), bool(flag))
        for day, limit, flag in zip(days, bound, alarm, strict=True)
    ]


def ears_scores(counts: np.ndarray, method: str, baseline: int = 7) -> tuple[int, np.ndarray]:
    """(first day decided, one score per day from it): the day alarms at level alpha exactly
    when its score exceeds qnorm(1 - alpha), as in `ears` with min_sigma 0. C1 and C2 score
    (y - mean) / sd; C3 the excess of the two days before, max(0, C2 - 1) summed (a day
    with count 0 or a zero sd cannot alarm: -inf). "No decision" scores -inf too. Used to
    compare the methods at the same alarm rate (any threshold, one computation)."""
    if method not in EARS_METHODS:
        raise ValueError(f"unknown EARS method {method!r}")
    y = np.asarray(counts, dtype=float)
    first = baseline + _EXTRA_LAG[method]
    if len(y) <= first:
        return first, np.zeros(0)
    days = np.arange(first, len(y))
    with np.errstate(divide="ignore", invalid="ignore"):
        if method in ("c1", "c2"):
            gap = 1 if method == "c1" else 3
            mean, sd = _baseline_stats(y, days, np.arange(gap, baseline + gap))
            score = (y[days] - mean) / sd
        else:
            c2_days = np.arange(first - 2, len(y))
            mean, sd = _baseline_stats(y, c2_days, np.arange(3, baseline + 3))
            c2 = (y[c2_days] - mean) / sd
            excess = np.maximum(0.0, c2[:-2] - 1) + np.maximum(0.0, c2[1:-1] - 1)
            score = np.where((y[days] > 0) & (sd[2:] > 0), excess, -np.inf)
    return first, np.where(np.isnan(score), -np.inf, score)
