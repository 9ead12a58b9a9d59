"""The evaluation harness on small series with a known answer: detection, delay and false
alarms counted as defined; scores that reproduce each method's alarms at its alpha; the
matched threshold; injected incidents where they are said to be."""

from __future__ import annotations

import csv
import math
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from cityloop.warning.countmodel import count_model, upper_tail_probabilities
from cityloop.warning.ears import EARS_METHODS, ears, ears_scores
from cityloop.warning.evaluation import (
    Incident,
    default_threshold,
    evaluate,
    inject_incidents,
    matched_threshold,
    method_scores,
    score_alarms,
)

FIXTURES = Path(__file__).parent / "fixtures"


def _alarms(days: int, **on: list[int]) -> np.ndarray:
    """Series × days of alarms; on={"s0": [days…], "s1": […]}."""
    alarms = np.zeros((len(on), days), dtype=bool)
    for row, indexes in enumerate(on.values()):
        alarms[row, indexes] = True
    return alarms


def test_detection_delay_and_false_alarms_counted_as_defined():
    incidents = [
        Incident(series=0, start=20, days=3, multiplier=2.0),  # alarms on its 2nd day
        Incident(series=1, start=25, days=5, multiplier=3.0),  # alarm only after its end
        Incident(series=0, start=40, days=2, multiplier=2.0),  # alarms on its first day
    ]
    alarms = _alarms(
        50,
        s0=[3, 12, 21, 22, 40, 45],  # day 3 is before the scored period
        s1=[10, 30, 31],
    )
    result = score_alarms("c3", 1.0, alarms, incidents, evaluated_from=7)

    assert (result.incidents, result.detected) == (3, 2)
    assert result.detected_share == pytest.approx(2 / 3)
    assert result.median_delay == 0.5  # delays 1 and 0
    # false: s0 days 12, 45; s1 days 10, 30, 31 (30 is the day after the incident's end)
    assert result.false_alarms == 5
    quiet_days = (50 - 7 - 3 - 2) + (50 - 7 - 5)
    assert result.series_weeks == pytest.approx(quiet_days / 7)
    assert result.false_alarms_per_week == pytest.approx(5 / (quiet_days / 7))


def test_no_detection_has_no_delay():
    incidents = [Incident(series=0, start=10, days=2, multiplier=2.0)]
    result = score_alarms("ours", 1.0, _alarms(20, s0=[]), incidents, evaluated_from=0)
    assert result.detected == 0 and math.isnan(result.median_delay)


def _fixture_series() -> dict[str, np.ndarray]:
    series: dict[str, list[float]] = {}
    with (FIXTURES / "earsC_series.csv").open() as handle:
        for row in csv.DictReader(handle):
            series.setdefault(row["series"], []).append(float(row["count"]))
    return {name: np.array(counts) for name, counts in series.items()}


@pytest.mark.parametrize("method", EARS_METHODS)
@pytest.mark.parametrize("alpha", [0.001, 0.01, 0.05])
def test_ears_scores_reproduce_the_r_checked_alarms(method, alpha):
    for counts in _fixture_series().values():
        first, scores = ears_scores(counts, method)
        alarms = [day.alarm for day in ears(counts, method, alpha=alpha)]
        assert first == len(counts) - len(alarms)
        assert list(scores > default_threshold(method, alpha)) == alarms


@pytest.mark.parametrize("alpha", [0.001, 0.01])
def test_the_count_models_tail_probability_reproduces_its_alarms(alpha):
    dates = [date(2024, 1, 1) + timedelta(days=offset) for offset in range(200)]
    rng = np.random.default_rng(3)
    counts = rng.poisson([20 if day.weekday() < 5 else 8 for day in dates]).astype(float)
    counts[150:153] += [12, 20, 30]
    days = count_model(dates, counts, alpha=alpha)
    tail = upper_tail_probabilities(
        counts[[day.index for day in days]],
        np.array([day.expected for day in days]),
        np.array([day.variance for day in days]),
    )
    with np.errstate(divide="ignore"):
        scores = -np.log(tail)
    assert list(scores > default_threshold("ours", alpha)) == [day.alarm for day in days]
    assert any(day.alarm for day in days)


def test_matched_threshold_allows_at_most_the_asked_alarms():
    scores = np.array([[-np.inf, 0.5, 3.0, 2.0], [1.0, 2.0, -np.inf, np.inf]])
    assert (scores > matched_threshold(scores, 2)).sum() == 2  # inf and 3.0
    assert (scores > matched_threshold(scores, 3)).sum() == 2  # the two 2.0 are tied
    assert (scores > matched_threshold(scores, 10)).sum() == 6  # never an undecided day


def test_incidents_are_injected_where_and_as_large_as_said():
    dates = [date(2025, 1, 1) + timedelta(days=offset) for offset in range(300)]
    expected = np.full((4, 300), 10.0)
    histories = inject_incidents(dates, expected, incidents=8, seed=2, evaluated_from=150)

    assert len(histories.incidents) == 8
    extra = histories.counts - histories.clean
    inside = np.zeros(extra.shape, dtype=bool)
    for incident in histories.incidents:
        assert incident.start >= 150 and incident.end < 300
        assert 2 <= incident.days <= 7 and 1.5 <= incident.multiplier <= 4.0
        window = slice(incident.start, incident.end + 1)
        inside[incident.series, window] = True
        rise = extra[incident.series, window].mean()
        assert rise == pytest.approx((incident.multiplier - 1) * 10, abs=4 * 10 / incident.days)
    assert not extra[~inside].any()
    assert {incident.series for incident in histories.incidents} == {0, 1, 2, 3}


def test_a_method_blind_to_the_week_loses_at_the_matched_rate():
    """A strong weekly rhythm and large incidents: at the same false-alarm rate, the count
    model finds more incidents than C1, which takes every Monday for a rise."""
    dates = [date(2024, 1, 1) + timedelta(days=offset) for offset in range(240)]
    weekday = np.array([day.weekday() < 5 for day in dates])
    expected = np.tile(np.where(weekday, 30.0, 6.0), (12, 1))
    histories = inject_incidents(
        dates, expected, incidents=12, seed=4, evaluated_from=120, multipliers=(2.0, 2.5)
    )
    evaluation = evaluate(histories, (), (), matched_rates=[0.05])
    assert [table.rate for table in evaluation.matched] == [0.05]
    matched = {result.method: result for result in evaluation.matched[0].results}

    assert matched["ours"].detected > matched["c1"].detected
    assert matched["ours"].false_alarms_per_week <= 0.05 * 1.5
    assert set(matched) == {"c1", "c2", "c3", "ours"}
    assert method_scores(dates[:50], histories.counts[:1, :50], (), ())["ours"].shape == (1, 50)
