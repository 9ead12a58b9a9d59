"""The city's forecasts: every district × first-level category series read by
proactive.selectors, forecast by proactive.forecast. Reads only (the proposals made from
them are proactive.services')."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np

from cityloop.proactive import forecast as model
from cityloop.proactive.selectors import names_of, weekly_series

# The level a forecast is set against: the average week of the last year (or of the whole
# history when shorter).
USUAL_WEEKS = 52
# A series this quiet (appeals per week on average) is not forecast: noise, not a season.
MIN_WEEKLY_MEAN = 0.5


@dataclass(frozen=True)
class SeriesOutlook:
    area_id: int
    area: str
    category_id: int
    category: str
    weeks: list[date]
    history: np.ndarray
    usual: float  # appeals in an average week (see USUAL_WEEKS)
    forecast: model.Forecast
    backtest: model.Backtest | None = None
    seasonal: bool | None = None

    @property
    def label(self) -> str:
        return f"{self.area} · {self.category}"

    @property
    def ahead_ratio(self) -> float:
        """The forecast weeks' average against the usual week."""
        return float(self.forecast.mean.mean() / self.usual) if self.usual > 0 else 0.0


def _usual(history: np.ndarray) -> float:
    return float(history[-USUAL_WEEKS:].mean()) if len(history) else 0.0


def city_outlook(
    *,
    as_of: date,
    horizon: int = 4,
    with_backtest: bool = False,
    area_id: int | None = None,
    category_id: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[SeriesOutlook]:
    """One outlook per district × first-level category with enough appeals, busiest first.
    `with_backtest` adds the rolling-origin MASE and the seasonality test (slower)."""
    model.check_horizon(horizon)
    series = weekly_series(until=as_of)
    wanted = [
        key
        for key, counts in series.counts.items()
        if counts.mean() >= MIN_WEEKLY_MEAN
        and (area_id is None or key[0] == area_id)
        and (category_id is None or key[1] == category_id)
    ]
    areas, categories = names_of([a for a, _c in wanted], [c for _a, c in wanted])
    # each category's city total, whose season every district's series borrows
    totals: dict[int, np.ndarray] = {}
    for (_area, category), counts in series.counts.items():
        totals[category] = totals.get(category, 0) + counts
    shapes = {
        category: model.seasonal_shape(series.weeks, total, horizon)
        for category, total in totals.items()
        if category in {c for _a, c in wanted}
    }
    found = []
    for done, (area, category) in enumerate(wanted, start=1):
        counts = series.counts[(area, category)]
        tested, seasonal = None, None
        if with_backtest and len(counts) > model.SEASONALITY + horizon:
            tested = model.backtest(series.weeks, counts, horizon, pooled=totals[category])
            seasonal = model.has_annual_season(series.weeks, counts)
        found.append(
            SeriesOutlook(
                area,
                areas.get(area, str(area)),
                category,
                categories.get(category, str(category)),
                series.weeks,
                counts,
                _usual(counts),
                model.forecast(series.weeks, counts, horizon, shape=shapes[category]),
                tested,
                seasonal,
            )
        )
        if progress is not None:
            progress(done, len(wanted))
    return sorted(found, key=lambda outlook: -outlook.usual)


def series_choices(*, as_of: date) -> list[dict[str, object]]:
    """The district × category series the forecast page offers, busiest first."""
    series = weekly_series(until=as_of)
    wanted = [
        (key, float(counts[-USUAL_WEEKS:].mean()))
        for key, counts in series.counts.items()
        if counts.mean() >= MIN_WEEKLY_MEAN
    ]
    areas, categories = names_of([a for (a, _c), _u in wanted], [c for (_a, c), _u in wanted])
    return [
        {
            "value": f"{area}-{category}",
            "label": f"{areas.get(area, area)} · {categories.get(category, category)}",
            "usual": usual,
        }
        for (area, category), usual in sorted(wanted, key=lambda item: -item[1])
    ]


def chart_of(outlook: SeriesOutlook, *, weeks_shown: int = 104) -> dict[str, object]:
    """History, forecast and its band for a chart (plain lists, for json_script)."""
    history_weeks = outlook.weeks[-weeks_shown:]
    return {
        "label": outlook.label,
        "usual": round(outlook.usual, 2),
        "weeks": [w.isoformat() for w in history_weeks]
        + [w.isoformat() for w in outlook.forecast.weeks],
        "history": [int(v) for v in outlook.history[-weeks_shown:]],
        "mean": [round(float(v), 2) for v in outlook.forecast.mean],
        "lower": [float(v) for v in outlook.forecast.lower],
        "upper": [float(v) for v in outlook.forecast.upper],
    }
