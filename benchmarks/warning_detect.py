"""The sudden-rise detectors: agreement of EARS C1-C3 with R's surveillance::earsC on the
committed fixture, the time per 1,000-day series of each method, and the alarms each raises
on 1,000 days of a series with a weekly rhythm, a season and the real Chinese holidays but
no incident (every alarm there is a false one).

Usage: python benchmarks/warning_detect.py [--repeat 5] [--seed 14]
"""

from __future__ import annotations

import argparse
import csv
import math
import statistics
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from cityloop.warning.countmodel import count_model
from cityloop.warning.detect import official_holidays, official_makeup_workdays
from cityloop.warning.ears import EARS_METHODS, ears

FIXTURES = Path(__file__).parents[1] / "src/cityloop/warning/tests/fixtures"


def agreement_with_r() -> tuple[int, int, int]:
    """(days compared, days with the same alarm, days with the same bound within 1e-6)."""
    series: dict[str, list[float]] = defaultdict(list)
    with (FIXTURES / "earsC_series.csv").open() as handle:
        for row in csv.DictReader(handle):
            series[row["series"]].append(float(row["count"]))
    reference: dict[tuple[str, str, str, str], dict[int, dict[str, str]]] = defaultdict(dict)
    with (FIXTURES / "earsC_reference.csv").open() as handle:
        for row in csv.DictReader(handle):
            key = (row["series"], row["baseline"], row["min_sigma"], row["method"])
            reference[key][int(row["index"])] = row
    compared = same_alarm = same_bound = 0
    for (name, baseline, min_sigma, method), rows in reference.items():
        days = ears(np.array(series[name]), method, 0.001, int(baseline), float(min_sigma))
        for day in days:
            row = rows[day.index]
            compared += 1
            r_alarm = None if row["alarm"] == "NA" else row["alarm"] == "1"
            ours_alarm = None if math.isnan(day.upperbound) else day.alarm
            same_alarm += r_alarm == ours_alarm
            r_bound = float(row["upperbound"])
            same_bound += (math.isnan(r_bound) and math.isnan(day.upperbound)) or abs(
                r_bound - day.upperbound
            ) <= 1e-6
    return compared, same_alarm, same_bound


def rhythmic_series(seed: int, days: int = 1000) -> tuple[list[date], np.ndarray]:
    """Weekdays busy, weekends and holidays quiet, make-up working days busy, a winter high."""
    holidays, workdays = official_holidays(), official_makeup_workdays()
    dates = [date(2022, 1, 1) + timedelta(days=offset) for offset in range(days)]
    working = np.array(
        [(day.weekday() < 5 or day in workdays) and day not in holidays for day in dates]
    )
    season = 1 + 0.25 * np.cos(2 * np.pi * np.arange(days) / 365.25)
    rate = np.where(working, 40.0, 15.0) * season
    return dates, np.random.default_rng(seed).poisson(rate).astype(float)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()

    compared, same_alarm, same_bound = agreement_with_r()
    print(f"agreement with R earsC: same alarm on {same_alarm}/{compared} days, ", end="")
    print(f"same upper bound (1e-6) on {same_bound}/{compared}")

    dates, counts = rhythmic_series(args.seed)
    holidays, workdays = official_holidays(), official_makeup_workdays()
    runs = {
        **{method: (lambda m=method: ears(counts, m)) for method in EARS_METHODS},
        "ours": lambda: count_model(dates, counts, holidays, 0.001, makeup_workdays=workdays),
    }
    print(f"1,000-day series without incident ({dates[0]} to {dates[-1]}), alpha 0.001:")
    for method, run in runs.items():
        seconds = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            results = run()
            seconds.append(time.perf_counter() - started)
        alarms = sum(day.alarm for day in results)
        print(
            f"  {method:5s} {statistics.median(seconds) * 1000:8.1f} ms per series, "
            f"{alarms:3d} alarms on {len(results)} days decided"
        )


if __name__ == "__main__":
    main()
