"""A daily count series read from CSV (`date,count`), checked before any detector sees it."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from typing import IO

import numpy as np


class BadSeries(ValueError):
    """The input is not a usable daily series; the message says where and why."""


@dataclass(frozen=True)
class DailySeries:
    dates: list[date]
    counts: np.ndarray  # float64, one count per date, non-negative integers

    def __len__(self) -> int:
        return len(self.dates)


def read_daily_series(source: IO[str]) -> DailySeries:
    """Rows `date,count` under a header, dates ISO and strictly increasing (gaps allowed:
    a missing day counts as zero, since a day with no appeals is often simply not listed)."""
    reader = csv.reader(source)
    header = [name.strip().lower() for name in next(reader, [])]
    missing = [name for name in ("date", "count") if name not in header]
    if missing:
        raise BadSeries(f"missing column {', '.join(missing)} (the header must be date,count)")
    date_at, count_at = header.index("date"), header.index("count")
    by_day: dict[date, float] = {}
    last: date | None = None
    for line_number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(date_at, count_at):
            raise BadSeries(f"line {line_number}: too few fields")
        day = _parse_date(row[date_at].strip(), line_number)
        count = _parse_count(row[count_at].strip(), line_number)
        if last is not None and day <= last:
            problem = "repeated" if day == last else "out of order"
            raise BadSeries(f"line {line_number}: date {day} is {problem} (dates must increase)")
        by_day[day] = count
        last = day
    if not by_day:
        raise BadSeries("no data rows")
    first = min(by_day)
    span = (max(by_day) - first).days + 1
    dates = [first + timedelta(days=offset) for offset in range(span)]
    return DailySeries(dates, np.array([by_day.get(day, 0.0) for day in dates]))


def _parse_date(text: str, line_number: int) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadSeries(f"line {line_number}: bad date {text!r} (want YYYY-MM-DD)") from None


def _parse_count(text: str, line_number: int) -> float:
    try:
        value = float(text)
    except ValueError:
        raise BadSeries(f"line {line_number}: bad count {text!r}") from None
    if not np.isfinite(value) or value < 0 or value != int(value):
        raise BadSeries(f"line {line_number}: count {text!r} is not a non-negative whole number")
    return value
