"""How well the sudden-rise detectors find incidents: on daily histories with incidents of
known series, start and size injected, for each method (EARS C1, C2, C3 and the count model,
"ours") the share of incidents detected, the median delay to the first alarm and the false
alarms per series-week — at the default alpha, and at a matched false-alarm rate.

Matching: every method is reduced to a per-day score whose threshold is its alpha (EARS:
the z of qnorm(1 - alpha); ours: -log of the day's upper-tail probability, see
`upper_tail_probabilities`). On the same histories without their incidents, each method's
threshold is set so that it raises the same number of alarms (the rate EARS C3 raises at
the default alpha and a strict STRICT_RATE, unless told other rates); then the methods are
compared on the histories with incidents. A method that finds more incidents at the same
false-alarm rate is better, whatever its alpha is called.

Pure: the caller supplies the expected daily counts of each series (the rhythm: weekday,
season, holidays, trend); `cityloop warning evaluate` takes them from the demo city's rhythm.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import stats

from cityloop.warning.countmodel import count_model, upper_tail_probabilities
from cityloop.warning.ears import EARS_METHODS, ears_scores

METHODS = (*EARS_METHODS, "ours")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Incident:
    series: int
    start: int  # index of its first day
    days: int
    multiplier: float  # the series' expected count is multiplied by this while it lasts

    @property
    def end(self) -> int:
        """Index of its last day."""
        return self.start + self.days - 1


@dataclass(frozen=True)
class Histories:
    dates: list[date]
    expected: np.ndarray  # series × days: the rhythm's mean count
    clean: np.ndarray  # series × days: counts without incidents
    counts: np.ndarray  # series × days: clean plus the incidents' extra counts
    incidents: list[Incident]
    evaluated_from: int  # first day index scored: every method decides from there


def inject_incidents(
    dates: list[date],
    expected: np.ndarray,
    *,
    incidents: int,
    seed: int,
    evaluated_from: int,
    multipliers: tuple[float, float] = (1.5, 4.0),
    durations: tuple[int, int] = (2, 7),
    dispersion: float = 20.0,
) -> Histories:
    """Counts drawn around `expected` (gamma-Poisson, size `dispersion`: real counts vary
    more than Poisson), and `incidents` incidents, one per series in turn (the series are
    reused when there are fewer), each `multipliers` × the expected count for `durations`
    days, starting on a random day from `evaluated_from` on. Incidents in one series do not
    overlap and leave four weeks between them."""
    rng = np.random.default_rng(seed)
    n_series, n_days = expected.shape
    clean = rng.poisson(expected * rng.gamma(dispersion, 1 / dispersion, expected.shape))
    extra = np.zeros_like(clean)
    placed: list[Incident] = []
    busy = np.zeros(expected.shape, dtype=bool)
    for number in range(incidents):
        series = number % n_series
        for _ in range(100):
            days = int(rng.integers(durations[0], durations[1] + 1))
            start = int(rng.integers(evaluated_from, n_days - days + 1))
            if not busy[series, max(0, start - 28) : start + days + 28].any():
                break
        else:
            raise ValueError("too many incidents for these series: give more series or days")
        busy[series, start : start + days] = True
        multiplier = float(rng.uniform(*multipliers))
        window = slice(start, start + days)
        extra[series, window] = rng.poisson((multiplier - 1) * expected[series, window])
        placed.append(Incident(series, start, days, multiplier))
    return Histories(
        dates, expected, clean.astype(float), (clean + extra).astype(float), placed, evaluated_from
    )


def method_scores(
    dates: Sequence[date],
    counts: np.ndarray,
    holidays: Collection[date],
    makeup_workdays: Collection[date],
    progress: Progress | None = None,
) -> dict[str, np.ndarray]:
    """Per method, series × days of scores (higher: more surprising; -inf: no decision).
    A day alarms at level alpha when its score exceeds `default_threshold(method, alpha)`."""
    n_series = len(counts)
    scores = {method: np.full(counts.shape, -np.inf) for method in METHODS}
    for series in range(n_series):
        for method in EARS_METHODS:
            first, values = ears_scores(counts[series], method)
            scores[method][series, first:] = values
        days = count_model(
            dates, counts[series], holidays, makeup_workdays=makeup_workdays
        )  # alpha does not matter: the score is the tail probability
        index = np.array([day.index for day in days], dtype=int)
        tail = upper_tail_probabilities(
            counts[series, index],
            np.array([day.expected for day in days]),
            np.array([day.variance for day in days]),
        )
        with np.errstate(divide="ignore"):
            scores["ours"][series, index] = -np.log(np.maximum(tail, 0.0))
        if progress is not None:
            progress(series + 1, n_series)
    return scores


def default_threshold(method: str, alpha: float) -> float:
    if method == "ours":
        # p <= alpha alarms; the tiny margin keeps a p of exactly alpha an alarm
        return -math.log(alpha) - 1e-9
    return float(stats.norm.ppf(1 - alpha))


def matched_threshold(scores: np.ndarray, alarms: int) -> float:
    """The threshold at which `scores` raise at most `alarms` alarms (fewer when tied)."""
    flat = np.sort(scores[scores > -np.inf])[::-1]  # a day with no decision never alarms
    if alarms >= len(flat):
        return -np.inf
    return float(flat[alarms])


@dataclass(frozen=True)
class MethodResult:
    method: str
    threshold: float
    incidents: int
    detected: int
    median_delay: float  # days from an incident's start to its first alarm; NaN: none found
    false_alarms: int
    series_weeks: float  # days outside incidents, over 7

    @property
    def detected_share(self) -> float:
        return self.detected / self.incidents if self.incidents else math.nan

    @property
    def false_alarms_per_week(self) -> float:
        return self.false_alarms / self.series_weeks if self.series_weeks else math.nan


def score_alarms(
    method: str,
    threshold: float,
    alarms: np.ndarray,
    incidents: Sequence[Incident],
    evaluated_from: int,
) -> MethodResult:
    """`alarms` series × days. An incident is detected when a day of it (start … end)
    alarms; its delay is the first such day minus its start. Every alarm on a day from
    `evaluated_from` on that is in no incident is a false one."""
    inside = np.zeros(alarms.shape, dtype=bool)
    delays = []
    for incident in incidents:
        window = slice(incident.start, incident.end + 1)
        inside[incident.series, window] = True
        hits = np.flatnonzero(alarms[incident.series, window])
        if hits.size:
            delays.append(int(hits[0]))
    quiet = ~inside
    quiet[:, :evaluated_from] = False
    return MethodResult(
        method,
        threshold,
        len(incidents),
        len(delays),
        float(np.median(delays)) if delays else math.nan,
        int(alarms[quiet].sum()),
        float(quiet.sum()) / 7,
    )


# A rate a city can live with: one false alarm per series in about two years. EARS C3's own
# rate at the default alpha is far higher (its table is printed too).
STRICT_RATE = 0.01


@dataclass(frozen=True)
class MatchedTable:
    rate: float  # false alarms per series-week on the histories without incidents
    label: str
    results: list[MethodResult]


@dataclass(frozen=True)
class Evaluation:
    alpha: float
    default: list[MethodResult]
    matched: list[MatchedTable]
    series: int
    days: int
    evaluated_days: int


def evaluate(
    histories: Histories,
    holidays: Collection[date],
    makeup_workdays: Collection[date],
    *,
    alpha: float = 0.001,
    matched_rates: Sequence[float] | None = None,
    progress: Progress | None = None,
) -> Evaluation:
    """Each method at `alpha`, and for each of `matched_rates` (false alarms per series-week
    on the clean histories; default: the rate of EARS C3 at `alpha`, and STRICT_RATE) each
    at the threshold that gives that rate."""
    start = histories.evaluated_from
    total = 2 * len(histories.counts)

    def half(offset: int) -> Progress | None:
        if progress is None:
            return None
        return lambda done, _: progress(offset + done, total)

    clean = method_scores(histories.dates, histories.clean, holidays, makeup_workdays, half(0))
    dirty = method_scores(
        histories.dates, histories.counts, holidays, makeup_workdays, half(total // 2)
    )
    clean_weeks = histories.clean[:, start:].size / 7
    if matched_rates is None:
        c3_alarms = (clean["c3"][:, start:] > default_threshold("c3", alpha)).sum()
        rates = [(float(c3_alarms) / clean_weeks, f"EARS C3's at alpha {alpha:g}")]
        rates.append((STRICT_RATE, "strict"))
    else:
        rates = [(rate, "asked") for rate in matched_rates]
    default = []
    for method in METHODS:
        limit = default_threshold(method, alpha)
        alarms = dirty[method] > limit
        default.append(score_alarms(method, limit, alarms, histories.incidents, start))
    matched = []
    for rate, label in rates:
        target = round(rate * clean_weeks)
        results = []
        for method in METHODS:
            limit = matched_threshold(clean[method][:, start:], target)
            alarms = dirty[method] > limit
            results.append(score_alarms(method, limit, alarms, histories.incidents, start))
        matched.append(MatchedTable(rate, label, results))
    n_series, n_days = histories.counts.shape
    return Evaluation(alpha, default, matched, n_series, n_days, n_days - start)


def format_table(evaluation: Evaluation) -> str:
    """The tables, methods side by side, as plain text (Markdown)."""
    lines = [
        f"{evaluation.series} series × {evaluation.days} days "
        f"(scored: the last {evaluation.evaluated_days}), "
        f"{evaluation.default[0].incidents} injected incidents",
    ]
    tables = [(f"default alpha {evaluation.alpha:g}", evaluation.default)]
    tables += [
        (
            f"matched false-alarm rate ({table.label}): {table.rate:.4f} per series-week "
            "on the series without incidents",
            table.results,
        )
        for table in evaluation.matched
    ]
    for title, results in tables:
        lines += ["", f"{title}:", ""]
        lines.append("| | " + " | ".join(r.method.upper() for r in results) + " |")
        lines.append("|---" * (len(results) + 1) + "|")
        rows = (
            (
                "incidents detected",
                lambda r: f"{r.detected}/{r.incidents} ({r.detected_share:.0%})",
            ),
            (
                "median delay, days",
                lambda r: "–" if math.isnan(r.median_delay) else f"{r.median_delay:g}",
            ),
            ("false alarms per series-week", lambda r: f"{r.false_alarms_per_week:.4f}"),
            ("false alarms", lambda r: f"{r.false_alarms}"),
        )
        for label, cell in rows:
            lines.append(f"| {label} | " + " | ".join(cell(r) for r in results) + " |")
    return "\n".join(lines)
