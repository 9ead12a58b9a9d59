"""统一考核: the three rates (三率) per unit and month, the composite score and the ranking.

Counted over valid callbacks: the latest valid callback of each appeal, in the month it
was made, for the unit that was the main unit then; approved exclusions (剔除) left out.
  响应率 response rate     = contacted / valid
  解决率 resolution rate   = resolved / valid
  满意率 satisfaction rate = (satisfied + w × basically satisfied) / valid
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q
from django.utils import timezone

from cityloop.appeals.enums import DecisionStatus, Satisfaction
from cityloop.evaluate.models import AssessmentExclusion, AssessmentSettings, Callback
from cityloop.org.models import Unit


@dataclass(frozen=True)
class UnitScore:
    unit_id: int
    unit_code: str
    unit_name: str
    unit_kind: str
    valid: int
    contacted: int
    resolved: int
    satisfied: int
    basically_satisfied: int
    response_rate: float
    resolution_rate: float
    satisfaction_rate: float
    composite: float
    rank: int = 0


def month_bounds(month: date) -> tuple[datetime, datetime]:
    first = month.replace(day=1)
    following = (
        first.replace(year=first.year + 1, month=1)
        if first.month == 12
        else first.replace(month=first.month + 1)
    )
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(first, datetime.min.time()), tz),
        timezone.make_aware(datetime.combine(following, datetime.min.time()), tz),
    )


def monthly_ranking(month: date, *, unit_kind: str | None = None) -> list[UnitScore]:
    start, end = month_bounds(month)
    weights = AssessmentSettings.current()
    basic_weight = float(weights.basically_satisfied_weight)
    callbacks = Callback.objects.filter(is_latest=True, is_valid=True, at__gte=start, at__lt=end)
    excluded = AssessmentExclusion.objects.filter(status=DecisionStatus.APPROVED).values(
        "appeal_id"
    )
    callbacks = callbacks.exclude(appeal_id__in=excluded)
    if unit_kind:
        callbacks = callbacks.filter(unit__kind=unit_kind)
    totals = callbacks.values("unit_id").annotate(
        valid=Count("id"),
        contacted=Count("id", filter=Q(contacted=True)),
        resolved=Count("id", filter=Q(resolved=True)),
        satisfied=Count("id", filter=Q(satisfaction=Satisfaction.SATISFIED)),
        basically=Count("id", filter=Q(satisfaction=Satisfaction.BASICALLY_SATISFIED)),
    )
    units = {u.pk: u for u in Unit.objects.filter(pk__in=[t["unit_id"] for t in totals])}
    scores = []
    for row in totals:
        unit, valid = units[row["unit_id"]], row["valid"]
        response = row["contacted"] / valid
        resolution = row["resolved"] / valid
        satisfaction = (row["satisfied"] + basic_weight * row["basically"]) / valid
        composite = 100 * (
            float(weights.response_weight) * response
            + float(weights.resolution_weight) * resolution
            + float(weights.satisfaction_weight) * satisfaction
        )
        scores.append(
            UnitScore(
                unit.pk,
                unit.code,
                unit.name,
                unit.kind,
                valid,
                row["contacted"],
                row["resolved"],
                row["satisfied"],
                row["basically"],
                round(response, 4),
                round(resolution, 4),
                round(satisfaction, 4),
                round(composite, 2),
            )
        )
    scores.sort(key=lambda s: (-s.composite, -s.valid, s.unit_code))
    return [
        UnitScore(**{**score.__dict__, "rank": position})
        for position, score in enumerate(scores, start=1)
    ]
