"""EARS C1-C3 against R's surveillance::earsC (the fixture was generated once by
fixtures/earsC_reference.R; R is not needed here) and on series with a known answer."""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from cityloop.warning.ears import EARS_METHODS, ears

FIXTURES = Path(__file__).parent / "fixtures"


def _read(name: str) -> list[dict[str, str]]:
    with (FIXTURES / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _series() -> dict[str, np.ndarray]:
    counts: dict[str, list[float]] = defaultdict(list)
    for row in _read("earsC_series.csv"):
        counts[row["series"]].append(float(row["count"]))
    return {name: np.array(values) for name, values in counts.items()}


def _reference() -> dict[tuple[str, int, float, str], list[dict[str, str]]]:
    groups: dict[tuple[str, int, float, str], list[dict[str, str]]] = defaultdict(list)
    for row in _read("earsC_reference.csv"):
        key = (row["series"], int(row["baseline"]), float(row["min_sigma"]), row["method"])
        groups[key].append(row)
    return groups


REFERENCE = _reference()


@pytest.mark.parametrize("case", sorted(REFERENCE), ids=lambda case: "-".join(map(str, case)))
def test_same_days_bounds_and_alarms_as_r_earsC(case):
    name, baseline, min_sigma, method = case
    expected = REFERENCE[case]
    ours = ears(_series()[name], method, alpha=0.001, baseline=baseline, min_sigma=min_sigma)

    assert [day.index for day in ours] == [int(row["index"]) for row in expected]
    for day, row in zip(ours, expected, strict=True):
        if row["upperbound"] == "NaN":
            assert math.isnan(day.upperbound) and not day.alarm, row
            assert row["alarm"] == "NA"
        else:
            assert day.upperbound == pytest.approx(float(row["upperbound"]), abs=1e-6), row
            assert day.alarm == (row["alarm"] == "1"), row


def test_the_fixture_holds_alarms_and_undecided_days():
    """The comparison above would prove little on a fixture without alarms."""
    alarms = {row["method"] for row in _read("earsC_reference.csv") if row["alarm"] == "1"}
    undecided = [row for row in _read("earsC_reference.csv") if row["alarm"] == "NA"]
    assert alarms == set(EARS_METHODS) and undecided


def test_a_spike_on_a_flat_series_alarms_on_its_day_and_c3_two_days_later():
    counts = np.array([10.0, 11, 9, 10, 12, 8, 10, 11, 9, 10] * 3)
    counts[20] = 40
    c1 = {day.index: day for day in ears(counts, "c1")}
    c2 = {day.index: day for day in ears(counts, "c2")}
    c3 = {day.index: day for day in ears(counts, "c3")}

    assert [i for i, day in c1.items() if day.alarm] == [20]
    assert [i for i, day in c2.items() if day.alarm] == [20]
    # earsC's C3 weighs the two days before the day, so the spike shows on days 21 and 22.
    assert [i for i, day in c3.items() if day.alarm] == [21, 22]
    assert c1[20].upperbound == pytest.approx(10 + 3.090232 * np.std(counts[13:20], ddof=1))


def test_a_series_too_short_for_a_method_has_no_days():
    assert ears(np.ones(7), "c1") == []
    assert len(ears(np.ones(8), "c1")) == 1
    assert ears(np.ones(11), "c3") == []
