"""统一考核: the three rates (三率) — the one formula every figure of the assessment comes from.

Counted over assessed callbacks: the latest valid callback of each appeal, in the (local)
month it was made, for the unit that was the main unit then; approved exclusions (剔除) left
out.
  响应率 response rate     = contacted / valid
  解决率 resolution rate   = resolved / valid callbacks rated on resolution (a suggestion,
                             建议, is answered, not resolved: it is left out here)
  满意率 satisfaction rate = (satisfied + w × basically satisfied) / valid
  综合得分 composite       = 100 × Σ weight × rate
  排名得分 ranking score   = 100 × Σ weight × Wilson lower bound (95 %) of the rate
A unit is ranked by its ranking score, and only with at least `min_callbacks` valid
callbacks in the month (AssessmentSettings); the others are listed apart as 样本不足
(assessment.confidence, docs/decisions/0007-ranking-small-samples.md).

The ranking, the city-wide figures (dashboard, home page), the six-month trend, the
drill-down behind each number and the exports all come from here, so they always agree.
Pages render what these functions return; they do not count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cityloop.access.actors import Actor
from cityloop.appeals.enums import NOT_RATED_ON_RESOLUTION, DecisionStatus, Outcome, Satisfaction
from cityloop.appeals.models import Appeal
from cityloop.appeals.scope import visible_appeals
from cityloop.assessment.confidence import rate_label, wilson_lower
from cityloop.evaluate.models import AssessmentExclusion, AssessmentSettings, Callback
from cityloop.kernel import clock
from cityloop.kernel.errors import DomainError, NotFound
from cityloop.org.models import Unit

EARLIEST_MONTH = date(2000, 1, 1)
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})$")

# the callbacks behind each number of a unit's row (the drill-down)
MEASURES: dict[str, Q] = {
    "all": Q(),
    "not_contacted": Q(contacted=False),
    "unresolved": Q(resolved=False),
    "dissatisfied": Q(satisfaction=Satisfaction.DISSATISFIED),
}
MEASURE_LABELS = {
    "all": _("全部有效回访"),
    "not_contacted": _("未联系"),
    "unresolved": _("未解决"),
    "dissatisfied": _("不满意"),
}

# the counts the three rates are made of, as database aggregates
_TALLY = {
    "valid": Count("id"),
    "contacted": Count("id", filter=Q(contacted=True)),
    "rated_on_resolution": Count("id", filter=~Q(appeal__appeal_type__in=NOT_RATED_ON_RESOLUTION)),
    "resolved": Count("id", filter=Q(resolved=True)),
    "satisfied": Count("id", filter=Q(satisfaction=Satisfaction.SATISFIED)),
    "basically_satisfied": Count("id", filter=Q(satisfaction=Satisfaction.BASICALLY_SATISFIED)),
}

# The same counts and the same assessed callbacks over the analytics store's `callbacks`
# table (analytics.tables.CALLBACKS), as DuckDB SQL: kept beside _TALLY so the two cannot
# drift apart (analytics/tests check the store's ranking equals monthly_ranking's).
STORE_ASSESSED = "is_latest AND is_valid AND NOT excluded"
STORE_TALLY: dict[str, str] = {
    "valid": "count(*)",
    "contacted": "count(*) FILTER (WHERE contacted)",
    "rated_on_resolution": "count(*) FILTER (WHERE appeal_type NOT IN ({}))".format(
        ", ".join(f"'{kind}'" for kind in sorted(NOT_RATED_ON_RESOLUTION))
    ),
    "resolved": "count(*) FILTER (WHERE resolved)",
    "satisfied": f"count(*) FILTER (WHERE satisfaction = '{Satisfaction.SATISFIED.value}')",
    "basically_satisfied": "count(*) FILTER (WHERE satisfaction = "
    f"'{Satisfaction.BASICALLY_SATISFIED.value}')",
}

# what a set with no valid callback has none of
_RATE_FIELDS = (
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "composite",
    "response_lower",
    "resolution_lower",
    "satisfaction_lower",
    "ranking_score",
)


@dataclass(frozen=True)
class Rates:
    """The counts of a set of assessed callbacks and the three rates made of them. With no
    valid callback there is nothing to divide by: the rates are None, not 0.

    `satisfied_points` is the satisfaction rate's numerator (satisfied + w × basically
    satisfied); the `*_lower` fields are the Wilson lower bounds of the rates and
    `ranking_score` the composite made of them; the `*_label` fields show each rate with its
    count, "92.3 %（120/130）"."""

    valid: int
    contacted: int
    rated_on_resolution: int
    resolved: int
    satisfied: int
    basically_satisfied: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    composite: float | None
    satisfied_points: float
    response_lower: float | None
    resolution_lower: float | None
    satisfaction_lower: float | None
    ranking_score: float | None
    response_label: str
    resolution_label: str
    satisfaction_label: str


@dataclass(frozen=True)
class UnitScore:
    """One unit's row: its rates, and its place. `ranked` is False for a unit with fewer
    valid callbacks than the minimum (样本不足), whose `rank` is then 0."""

    unit_id: int
    unit_code: str
    unit_name: str
    unit_kind: str
    valid: int
    contacted: int
    rated_on_resolution: int
    resolved: int
    satisfied: int
    basically_satisfied: int
    response_rate: float
    # None: every callback of the unit was on a suggestion, which is not rated on resolution
    resolution_rate: float | None
    satisfaction_rate: float
    composite: float
    satisfied_points: float
    response_lower: float
    resolution_lower: float | None
    satisfaction_lower: float
    ranking_score: float
    response_label: str
    resolution_label: str
    satisfaction_label: str
    ranked: bool = False
    rank: int = 0
    # how the unit's appeals closed in the month ended (Outcome value → count), apart
    outcomes: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Ranking:
    """The month's ranking: the units ranked by their ranking score, and apart the units
    with fewer valid callbacks than `minimum` (样本不足), most callbacks first."""

    month: date
    minimum: int
    ranked: list[UnitScore]
    apart: list[UnitScore]

    @property
    def rows(self) -> list[UnitScore]:
        """The ranked units, then the units apart: every assessed unit of the month."""
        return [*self.ranked, *self.apart]


def parse_month(text: str) -> date:
    """A month parameter ("2026-03") as the first day of that month. Anything else, or a
    month outside 2000-01 .. December of next year, is refused with a clear message."""
    latest = date(clock.today().year + 1, 12, 1)
    found = MONTH_PATTERN.match(text.strip())
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise DomainError(
            "invalid_month",
            _("月份格式应为 YYYY-MM，例如 2026-03：%(value)s"),
            value=text,
            field="month",
        )
    month = date(int(found.group(1)), int(found.group(2)), 1)
    if not EARLIEST_MONTH <= month <= latest:
        raise DomainError(
            "month_out_of_range",
            _("月份须在 %(earliest)s 至 %(latest)s 之间：%(value)s"),
            earliest=f"{EARLIEST_MONTH:%Y-%m}",
            latest=f"{latest:%Y-%m}",
            value=text,
            field="month",
        )
    return month


def month_or_current(text: str | None) -> date:
    """The month asked for, or the current local month when none is given."""
    return parse_month(text) if text else clock.this_month()


def assessed_callbacks(month: date) -> QuerySet[Callback]:
    """The callbacks the three rates of `month` count: latest, valid, in the local month,
    not excluded by an approved 剔除."""
    start, end = clock.month_bounds(month)
    excluded = AssessmentExclusion.objects.filter(status=DecisionStatus.APPROVED).values(
        "appeal_id"
    )
    return Callback.objects.filter(
        is_latest=True, is_valid=True, at__gte=start, at__lt=end
    ).exclude(appeal_id__in=excluded)


def rates_of(counts: Mapping[str, Any], weights: AssessmentSettings | None = None) -> Rates:
    """THE formula: the three rates, the composite score, their Wilson lower bounds and the
    ranking score made of them, from the counts."""
    weights = weights or AssessmentSettings.current()
    valid = counts["valid"] or 0
    tally: dict[str, Any] = {key: counts[key] or 0 for key in _TALLY}
    points = (
        tally["satisfied"]
        + float(weights.basically_satisfied_weight) * tally["basically_satisfied"]
    )
    # (numerator, denominator) of each rate: the resolution rate counts only the callbacks
    # of appeals rated on resolution (a suggestion is answered, not resolved)
    parts = (
        (tally["contacted"], valid),
        (tally["resolved"], tally["rated_on_resolution"]),
        (points, valid),
    )
    labels: dict[str, Any] = {
        "satisfied_points": round(points, 2),
        "response_label": rate_label(*parts[0]),
        "resolution_label": rate_label(*parts[1]),
        "satisfaction_label": rate_label(*parts[2]),
    }
    if not valid:
        nothing: dict[str, Any] = dict.fromkeys(_RATE_FIELDS)
        return Rates(**tally, **labels, **nothing)
    rates = [n / d if d else None for n, d in parts]
    lower = [wilson_lower(n, d) if d else None for n, d in parts]
    return Rates(
        **tally,
        **labels,
        response_rate=_rounded(rates[0], 4),
        resolution_rate=_rounded(rates[1], 4),
        satisfaction_rate=_rounded(rates[2], 4),
        composite=round(_weighted(weights, rates), 2),
        response_lower=_rounded(lower[0], 4),
        resolution_lower=_rounded(lower[1], 4),
        satisfaction_lower=_rounded(lower[2], 4),
        ranking_score=round(_weighted(weights, lower), 2),
    )


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _weighted(weights: AssessmentSettings, rates: list[float | None]) -> float:
    """100 × Σ weight × rate, for (response, resolution, satisfaction). A rate with nothing
    to count (the resolution rate when every callback was on a suggestion) hands its weight
    to the other two, in proportion."""
    pairs = [
        (float(weights.response_weight), rates[0]),
        (float(weights.resolution_weight), rates[1]),
        (float(weights.satisfaction_weight), rates[2]),
    ]
    counted = [(weight, rate) for weight, rate in pairs if rate is not None]
    total = sum(weight for weight, _rate in pairs)
    share = sum(weight for weight, _rate in counted)
    return 100 * total * sum(weight * rate for weight, rate in counted) / share


def monthly_ranking(month: date, *, unit_kind: str | None = None) -> Ranking:
    """Every assessed unit of the month: those with at least the minimum of valid callbacks
    ranked by ranking score (then more callbacks, then code), the others apart."""
    callbacks = assessed_callbacks(month)
    if unit_kind:
        callbacks = callbacks.filter(unit__kind=unit_kind)
    totals = list(callbacks.values("unit_id").annotate(**_TALLY).order_by())
    return rank_units(month, totals, outcomes_by_unit(month))


def rank_units(
    month: date,
    totals: Iterable[Mapping[str, Any]],
    outcomes: Mapping[int, dict[str, int]],
    weights: AssessmentSettings | None = None,
) -> Ranking:
    """The month's ranking assembled from each unit's counts (a row per unit: `unit_id` and
    the counts of _TALLY) and how its appeals ended, wherever they were counted: in the
    database (monthly_ranking) or in the analytics store (analytics.queries)."""
    weights = weights or AssessmentSettings.current()
    totals = list(totals)
    units = {u.pk: u for u in Unit.objects.filter(pk__in=[t["unit_id"] for t in totals])}
    scores = []
    for row in totals:
        unit = units[row["unit_id"]]
        # every unit here has at least one valid callback, so the response and satisfaction
        # rates are not None (the resolution rate may be: suggestions only)
        scores.append(
            UnitScore(
                unit.pk,
                unit.code,
                unit.name,
                unit.kind,
                **asdict(rates_of(row, weights)),
                outcomes=outcomes.get(unit.pk, {}),
            )
        )
    minimum = weights.min_callbacks
    ranked = sorted(
        (s for s in scores if s.valid >= minimum),
        key=lambda s: (-s.ranking_score, -s.valid, s.unit_code),
    )
    apart = sorted((s for s in scores if s.valid < minimum), key=lambda s: (-s.valid, s.unit_code))
    return Ranking(
        month=month,
        minimum=minimum,
        ranked=[
            replace(score, ranked=True, rank=position)
            for position, score in enumerate(ranked, start=1)
        ],
        apart=apart,
    )


def city_rates(month: date) -> Rates:
    """The whole city's three rates for the month (all units' assessed callbacks together)."""
    return rates_of(assessed_callbacks(month).aggregate(**_TALLY))


def city_trend(month: date, months: int = 6) -> list[dict[str, Any]]:
    """The city's three rates for each of the `months` months up to and including `month`."""
    weights = AssessmentSettings.current()
    trend = []
    for back in range(months - 1, -1, -1):
        first = clock.add_months(month, -back)
        rates = rates_of(assessed_callbacks(first).aggregate(**_TALLY), weights)
        trend.append({"month": f"{first:%Y-%m}", **asdict(rates)})
    return trend


@dataclass(frozen=True)
class DrillDown:
    """The callbacks behind one number of a unit's row, and what the page titles it with."""

    unit_code: str
    unit_name: str
    measure: str
    measure_label: str
    callbacks: QuerySet[Callback]


def callbacks_behind(month: date, unit_code: str, measure: str, actor: Actor) -> QuerySet[Callback]:
    """The assessed callbacks behind one number of a unit's row (the drill-down), of the
    appeals the actor may see: a district supervisor drills into the units under it only."""
    return (
        assessed_callbacks(month)
        .filter(unit__code=unit_code, appeal__in=visible_appeals(actor))
        .filter(MEASURES.get(measure, Q()))
        .select_related("appeal", "unit")
        .order_by("-at")
    )


def closed_in(month: date) -> QuerySet[Appeal]:
    start, end = clock.month_bounds(month)
    return Appeal.objects.filter(closed_at__gte=start, closed_at__lt=end).exclude(outcome="")


def outcomes_by_unit(month: date) -> dict[int, dict[str, int]]:
    """How the appeals each main unit held ended, of those closed in the month: resolved,
    closed not fixed (办结未解决), answered but not rated... counted apart, never merged."""
    rows = (
        closed_in(month)
        .exclude(main_unit=None)
        .values_list("main_unit_id", "outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    found: dict[int, dict[str, int]] = {}
    for unit_id, outcome, n in rows:
        found.setdefault(unit_id, {})[outcome] = n
    return found


def city_outcomes(month: date) -> dict[str, int]:
    """The city's appeals closed in the month, by outcome (every outcome listed, 0 or not):
    consultations answered on the call and praise stand apart from the units' cases."""
    counts = dict(closed_in(month).values_list("outcome").annotate(n=Count("id")).order_by())
    return {value: counts.get(value, 0) for value in Outcome.values}


def drill_down(month: date, unit_code: str, measure: str, actor: Actor) -> DrillDown:
    """The drill-down of one unit's number, titled with the unit's name. An unknown unit is
    refused (404), not shown as a unit without callbacks."""
    unit = Unit.objects.filter(code=unit_code).only("code", "name").first()
    if unit is None:
        raise NotFound("unit_not_found", _("没有编码为 %(code)s 的单位"), code=unit_code)
    measure = measure if measure in MEASURES else "all"
    return DrillDown(
        unit_code=unit.code,
        unit_name=unit.name,
        measure=measure,
        measure_label=str(MEASURE_LABELS[measure]),
        callbacks=callbacks_behind(month, unit.code, measure, actor),
    )
