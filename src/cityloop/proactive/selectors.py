"""Reads for proactive work: the weekly series the forecasts fit, the monthly counts 每月一题
ranks, the repeats at one place, the proposals and topics an actor may see.

Citizen demand only: appeals of channel "proactive" are the centre's own work orders, not
calls, so they are left out of every count here (else accepting a proposal would raise the
next forecast)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from django.db.models import Count, Max, QuerySet
from django.utils.translation import gettext_lazy as _

from cityloop.access.actors import Actor
from cityloop.analytics import queries
from cityloop.appeals.enums import Channel
from cityloop.appeals.models import Appeal
from cityloop.geo.models import Area
from cityloop.kernel import clock
from cityloop.kernel.errors import NotFound
from cityloop.proactive.models import MonthlyTopic, Proposal
from cityloop.taxonomy.models import Category, category_parents

AREA_FIELDS = {"district": "district_id", "street": "street_id", "grid": "grid_id"}


def _citizen_appeals(since: datetime, until: datetime) -> QuerySet[Appeal]:
    return Appeal.objects.filter(received_at__gte=since, received_at__lt=until).exclude(
        channel=Channel.PROACTIVE
    )


def _category_at_level(level: int) -> dict[int, int]:
    """Each category id → its ancestor at `level` (1 = first level); categories above that
    level map to themselves."""
    parents = category_parents()
    levels = dict(Category.objects.values_list("pk", "level"))
    mapped = {}
    for pk in parents:
        node = pk
        while levels.get(node, 0) > level and parents.get(node) is not None:
            node = parents[node]  # type: ignore[assignment]
        mapped[pk] = node
    return mapped


def daily_counts(
    *, since: date, until: date, area_level: str = "street", category_level: int = 0
) -> list[tuple[int, int, date, int]]:
    """(area id, category id, local day, appeals) for days in [since, until), category
    rolled up to `category_level` (0: as recorded), from the analytics store (citizen demand
    only: analytics.queries leaves proactive work out). Appeals without area or category are
    left out."""
    return queries.daily_counts(
        since=since,
        until=until - timedelta(days=1),
        area_level=area_level,
        category_level=category_level,
    )


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class WeeklySeries:
    weeks: list[date]  # Mondays, the last one the latest complete week
    counts: dict[tuple[int, int], np.ndarray]  # (district id, first-level category id)


def weekly_series(*, until: date, weeks: int = 156, area_level: str = "district") -> WeeklySeries:
    """Appeals per complete week (Monday to Sunday) before `until`, per area × first-level
    category, over at most `weeks` weeks, every week present (zeros included). Series start
    at the first week any appeal was received."""
    end = week_start(until)  # the week holding `until` is not complete: left out
    start = end - timedelta(weeks=weeks)
    rows = daily_counts(since=start, until=end, area_level=area_level, category_level=1)
    if rows:
        start = max(start, week_start(min(day for _a, _c, day, _n in rows)))
    mondays = [start + timedelta(weeks=i) for i in range((end - start).days // 7)]
    index = {monday: i for i, monday in enumerate(mondays)}
    counts: dict[tuple[int, int], np.ndarray] = {}
    for area, category, day, n in rows:
        series = counts.setdefault((area, category), np.zeros(len(mondays)))
        series[index[week_start(day)]] += n
    return WeeklySeries(mondays, counts)


@dataclass(frozen=True)
class MonthlyCounts:
    months: list[date]  # first days, oldest first
    counts: dict[tuple[int, int], list[int]]  # (area id, category id) → one count per month


def monthly_counts(
    *,
    first_month: date,
    last_month: date,
    area_level: str = "street",
    category_level: int = 2,
    only: tuple[int, int] | None = None,
) -> MonthlyCounts:
    """Appeals per local month from `first_month` to `last_month` (both included) per area ×
    category (rolled up to `category_level`); `only` keeps one (area, category)."""
    months = []
    month = clock.first_of_month(first_month)
    while month <= last_month:
        months.append(month)
        month = clock.add_months(month, 1)
    until = clock.add_months(months[-1], 1) if months else first_month
    rows = daily_counts(
        since=first_month, until=until, area_level=area_level, category_level=category_level
    )
    index = {m: i for i, m in enumerate(months)}
    counts: dict[tuple[int, int], list[int]] = {}
    for area, category, day, n in rows:
        if only is not None and (area, category) != only:
            continue
        counts.setdefault((area, category), [0] * len(months))[index[day.replace(day=1)]] += n
    return MonthlyCounts(months, counts)


@dataclass(frozen=True)
class RepeatedPlace:
    address_id: int | None  # the one standard address they all name, else None
    area_id: int  # the grid
    category_id: int
    n: int


def repeats_at_places(*, since: date, until: date) -> list[RepeatedPlace]:
    """Citizen appeals per grid × category in [since, until), the places with the most
    first: what keeps being called in at one place. When they all name the same standard
    address, the place is that address."""
    rows = (
        _citizen_appeals(clock.start_of_day(since), clock.start_of_day(until))
        .filter(category__isnull=False, grid__isnull=False)
        .values_list("grid_id", "category_id")
        .annotate(
            n=Count("pk"),
            addressed=Count("standard_address"),
            addresses=Count("standard_address", distinct=True),
            address=Max("standard_address"),
        )
        .order_by()
    )
    places = [
        RepeatedPlace(address if addressed == n and addresses == 1 else None, grid, category, n)
        for grid, category, n, addressed, addresses, address in rows
    ]
    return sorted(places, key=lambda place: (-place.n, place.area_id, place.category_id))


def appeal_codes_at(*, area_id: int, category_id: int, since: date, until: date) -> list[str]:
    appeals = _citizen_appeals(clock.start_of_day(since), clock.start_of_day(until)).filter(
        category_id=category_id
    )
    appeals = appeals.filter(grid_id=area_id)
    return list(appeals.order_by("received_at").values_list("tracking_code", flat=True)[:50])


def names_of(area_ids: Iterable[int], category_ids: Iterable[int]) -> tuple[dict, dict]:
    areas = dict(Area.objects.filter(pk__in=set(area_ids)).values_list("pk", "name"))
    categories = dict(Category.objects.filter(pk__in=set(category_ids)).values_list("pk", "name"))
    return areas, categories


# -- proposals and topics -------------------------------------------------------------------


def visible_proposals(actor: Actor, *, status: str = "") -> QuerySet[Proposal]:
    """The proposals this actor may see: all for the centre, its units' for anyone else."""
    proposals = Proposal.objects.select_related("area", "category", "unit", "appeal")
    units = actor.visible_unit_ids()
    if units is not None:
        proposals = proposals.filter(unit_id__in=units)
    if status:
        proposals = proposals.filter(status=status)
    return proposals


def proposal_for(actor: Actor, proposal_id: int) -> Proposal:
    found = visible_proposals(actor).filter(pk=proposal_id).first()
    if found is None:
        raise NotFound("proposal_not_found", _("主动治理建议不存在或无权查看"))
    return found


def topics(*, month: date | None = None) -> QuerySet[MonthlyTopic]:
    chosen = MonthlyTopic.objects.select_related("area", "category", "chosen_by", "resolved_by")
    return chosen.filter(month=month) if month is not None else chosen


def topic(topic_id: int) -> MonthlyTopic:
    found = topics().filter(pk=topic_id).first()
    if found is None:
        raise NotFound("topic_not_found", _("每月一题不存在"))
    return found


def volume_since_chosen(chosen: MonthlyTopic, *, until: date | None = None) -> dict[str, object]:
    """每月一题 before and after: the monthly average of the three months before the chosen
    month (as recorded when it was chosen) and the count of each month since."""
    last = clock.first_of_month(until or clock.today())
    if last < chosen.month:
        last = chosen.month
    found = monthly_counts(
        first_month=chosen.month,
        last_month=last,
        area_level=chosen.area.level,
        category_level=chosen.category.level,
        only=(chosen.area_id, chosen.category_id),
    )
    after = found.counts.get((chosen.area_id, chosen.category_id), [0] * len(found.months))
    return {
        "before": chosen.volume_before,
        "months": [m.strftime("%Y-%m") for m in found.months],
        "after": after,
    }


# 每月一题's candidates: the months shown before the topic's month (the sparkline)
CANDIDATE_MONTHS = 6


@dataclass(frozen=True)
class TopicCandidate:
    area_id: int
    area: str
    category_id: int
    category: str
    count: int  # in the month before the topic's month: the last complete month, the basis
    previous: int  # in the month before that
    months: list[int]  # the CANDIDATE_MONTHS months before the topic's month, oldest first
    trend: float  # least-squares slope of `months`, appeals per month
    so_far: int  # in the topic's month itself (so far, when it is the current month)
    chosen: bool  # already one of the month's topics


def _slope(values: list[int]) -> float:
    if len(values) < 2:
        return 0.0
    return float(np.polyfit(np.arange(len(values)), np.array(values, float), 1)[0])


def candidates(
    month: date, *, area_level: str = "street", category_level: int = 2, limit: int = 20
) -> list[TopicCandidate]:
    """The high-frequency problems (category × area) to choose the topics of `month` from:
    ranked by their appeals in the month before (the last complete month when `month` is
    the current one), then by the steeper rise over the months before."""
    month = clock.first_of_month(month)
    found = monthly_counts(
        first_month=clock.add_months(month, -CANDIDATE_MONTHS),
        last_month=month,
        area_level=area_level,
        category_level=category_level,
    )
    history = {key: counts[:-1] for key, counts in found.counts.items() if counts[-2] > 0}
    ranked = sorted(history.items(), key=lambda item: (-item[1][-1], -_slope(item[1]), item[0]))
    ranked = ranked[:limit]
    chosen = set(topics(month=month).values_list("area_id", "category_id"))
    areas, categories = names_of([a for (a, _c), _v in ranked], [c for (_a, c), _v in ranked])
    return [
        TopicCandidate(
            area,
            areas.get(area, str(area)),
            category,
            categories.get(category, str(category)),
            counts[-1],
            counts[-2],
            counts,
            round(_slope(counts), 2),
            found.counts[(area, category)][-1],
            (area, category) in chosen,
        )
        for (area, category), counts in ranked
    ]
