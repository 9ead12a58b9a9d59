"""All sudden-rise detectors over one daily series, as rows `date,method,alarm,statistic,
threshold` (the format of `cityloop warning detect`)."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date

import chinese_calendar

from cityloop.warning.countmodel import count_model
from cityloop.warning.ears import EARS_METHODS, ears
from cityloop.warning.series import DailySeries


@dataclass(frozen=True)
class DetectorRow:
    day: date
    method: str
    alarm: bool
    statistic: float
    threshold: float  # NaN: the method cannot decide this day

    def as_csv(self) -> list[str]:
        if math.isnan(self.threshold):
            return [self.day.isoformat(), self.method, "", f"{self.statistic:g}", ""]
        return [
            self.day.isoformat(),
            self.method,
            "1" if self.alarm else "0",
            f"{self.statistic:g}",
            f"{self.threshold:.6g}",
        ]


def official_holidays() -> Collection[date]:
    """The statutory holidays (法定节假日) the chinese_calendar package knows, weekends
    inside a holiday period included."""
    return frozenset(chinese_calendar.holidays)


def official_makeup_workdays() -> Collection[date]:
    """Weekend days worked in place of a holiday (调休上班)."""
    return frozenset(chinese_calendar.workdays)


def detect_all(series: DailySeries, alpha: float = 0.001) -> Iterator[DetectorRow]:
    """Per method, in date order; a day without enough baseline for a method has no row for
    that method. For every method the statistic is the day's count and the threshold the
    count it must exceed to alarm: the EARS upper bound (as R's earsC reports it), or the
    upper (1 - alpha) quantile of the count model's predictive distribution."""
    dates, counts = series.dates, series.counts
    for method in EARS_METHODS:
        for day in ears(counts, method, alpha=alpha):
            yield DetectorRow(
                dates[day.index], method, day.alarm, float(counts[day.index]), day.upperbound
            )
    days = count_model(
        dates, counts, official_holidays(), alpha, makeup_workdays=official_makeup_workdays()
    )
    for result in days:
        yield DetectorRow(
            dates[result.index], "ours", result.alarm, float(counts[result.index]), result.threshold
        )
