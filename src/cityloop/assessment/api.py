"""The three-rates ranking over the API."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from cityloop.access.actors import Actor
from cityloop.access.tokens import STAFF_AUTH
from cityloop.assessment.access import check_may_assess
from cityloop.assessment.rates import monthly_ranking, parse_month
from cityloop.assessment.schemas import UnitScoreOut
from cityloop.kernel.api_schema import ERRORS

router = Router(auth=STAFF_AUTH, tags=["evaluation"])


@router.get(
    "/assessment",
    response={200: list[UnitScoreOut], **ERRORS},
    summary="三率考核月度排名 (three rates ranking)",
    description=(
        "The ranked units (`ranked` true, `rank` 1, 2, …, by `ranking_score`), then the units "
        "with fewer valid callbacks in the month than the minimum set in the assessment "
        "settings (样本不足: `ranked` false, `rank` 0)."
    ),
)
def assessment(
    request: HttpRequest,
    month: str = Query(..., title="考核月份", description="YYYY-MM, e.g. 2026-11"),
    unit_kind: str = Query("", title="单位类别"),
) -> list[Any]:
    check_may_assess(Actor.from_user(request.user))
    ranking = monthly_ranking(parse_month(month), unit_kind=unit_kind or None)
    return [asdict(score) for score in ranking.rows]
