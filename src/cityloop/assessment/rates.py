"""统一考核: the three rates (三率) — the one formula every figure of the assessment comes from.

Counted over assessed callbacks: the latest valid callback of each appeal, in the (local)
month it was made, for the unit that was the main unit then; approved exclusions (剔除) left
out.
  响应率 response rate     = contacted / valid
  解决率 resolution rate   = resolved / valid callbacks rated on resolution (a suggestion,
                             建议, is answered, not resolved: it is left out here)
  满意率 satisfaction rate = (satisfied + w × basically satisfied) / valid
  综合得分 composite       = 100 × Σ weight × rate

The ranking, the city-wide figures (dashboard, home page), the six-month trend, the
drill-down behind each number and the exports all come from here, so they always agree.
Pages render what these functions return; they do not count.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cityloop.access.actors import Actor
from cityloop.appeals.enums import NOT_RATED_ON_RESOLUTION, DecisionStatus, Outcome, Satisfaction
from cityloop.appeals.models import Appeal
from cityloop.appeals.scope import visible_appeals
from cityloop.evaluate.models import AssessmentExclusion, AssessmentSettings, Callback
from cityloop.kernel import clock
from cityloop.kernel.errors import DomainError
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

# the counts the three rates are made of, as database aggregates
_TALLY = {
    "valid": Count("id"),
    "contacted": Count("id", filter=Q(contacted=True)),
    "rated_on_resolution": Count("id", filter=~Q(appeal__appeal_type__in=NOT_RATED_ON_RESOLUTION)),
    "resolved": Count("id", filter=Q(resolved=True)),
    "satisfied": Count("id", filter=Q(satisfaction=Satisfaction.SATISFIED)),
    "basically_satisfied": Count("id", filter=Q(satisfaction=Satisfaction.BASICALLY_SATISFIED)),
}


@dataclass(frozen=True)
class Rates:
    """The counts of a set of assessed callbacks and the three rates made of them. With no
    valid callback there is nothing to divide by: the rates are None, not 0."""

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


@dataclass(frozen=True)
class UnitScore:
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
    rank: int = 0
    # how the unit's appeals closed in the month ended (Outcome value → count), apart
    outcomes: dict[str, int] = field(default_factory=dict)


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
    """THE formula: the three rates and the composite score from the counts."""
    weights = weights or AssessmentSettings.current()
    valid = counts["valid"] or 0
    tally = {key: counts[key] or 0 for key in _TALLY}
    if not valid:
        return Rates(
            **tally,
            response_rate=None,
            resolution_rate=None,
            satisfaction_rate=None,
            composite=None,
        )
    response = tally["contacted"] / valid
    rated = tally["rated_on_resolution"]
    resolution = tally["resolved"] / rated if rated else None
    satisfaction = (
        tally["satisfied"]
        + float(weights.basically_satisfied_weight) * tally["basically_satisfied"]
    ) / valid
    weighted = [
        (float(weights.response_weight), response),
        (float(weights.resolution_weight), resolution),
        (float(weights.satisfaction_weight), satisfaction),
    ]
    # with no rate to count (only suggestions), the other two carry the whole weight
    counted = [(w, rate) for w, rate in weighted if rate is not None]
    total_weight = sum(w for w, _rate in weighted)
    composite = (
        100 * total_weight * sum(w * rate for w, rate in counted) / sum(w for w, _r in counted)
    )
    return Rates(
        **tally,
        response_rate=round(response, 4),
        resolution_rate=None if resolution is None else round(resolution, 4),
        satisfaction_rate=round(satisfaction, 4),
        composite=round(composite, 2),
    )


def monthly_ranking(month: date, *, unit_kind: str | None = None) -> list[UnitScore]:
    """Every assessed unit of the month with its three rates, best composite first."""
    weights = AssessmentSettings.current()
    callbacks = assessed_callbacks(month)
    if unit_kind:
        callbacks = callbacks.filter(unit__kind=unit_kind)
    totals = list(callbacks.values("unit_id").annotate(**_TALLY).order_by())
    units = {u.pk: u for u in Unit.objects.filter(pk__in=[t["unit_id"] for t in totals])}
    ended = outcomes_by_unit(month)
    scores = []
    for row in totals:
        unit = units[row["unit_id"]]
        # every unit in the ranking has at least one valid callback, so the response and
        # satisfaction rates are not None (the resolution rate may be: suggestions only)
        scores.append(
            UnitScore(
                unit.pk,
                unit.code,
                unit.name,
                unit.kind,
                **asdict(rates_of(row, weights)),
                outcomes=ended.get(unit.pk, {}),
            )
        )
    scores.sort(key=lambda s: (-s.composite, -s.valid, s.unit_code))
    return [
        UnitScore(**{**asdict(score), "rank": position})
        for position, score in enumerate(scores, start=1)
    ]


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
