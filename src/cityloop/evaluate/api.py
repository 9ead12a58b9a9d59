"""Callbacks, 剔除 and the three-rates ranking over the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status as Created

from cityloop.appeals import selectors
from cityloop.appeals.actors import Actor
from cityloop.appeals.schemas import CallbackIn, CallbackOut, DecisionIn, UnitScoreOut
from cityloop.core.api_auth import STAFF_AUTH
from cityloop.core.api_schema import ERRORS, InSchema
from cityloop.evaluate import services
from cityloop.evaluate.access import check_may_assess
from cityloop.evaluate.assessment import monthly_ranking, parse_month

router = Router(auth=STAFF_AUTH, tags=["evaluation"])


class ExclusionIn(InSchema):
    reason: str = Field(..., max_length=2000, title="剔除理由")


class ExclusionOut(Schema):
    status: str
    reason: str


@router.post(
    "/appeals/{code}/callback", response={201: CallbackOut, **ERRORS}, summary="回访评价 (callback)"
)
def callback(request: HttpRequest, code: str, payload: CallbackIn) -> Created[dict[str, Any]]:
    actor = Actor.from_user(request.user)
    selectors.access_appeal(code, actor)
    made = services.record_callback(code, actor=actor, **payload.dict())
    made.appeal.refresh_from_db(fields=["status"])
    return Created(
        201,
        {
            "id": made.pk,
            "is_valid": made.is_valid,
            "contacted": made.contacted,
            "resolved": made.resolved,
            "satisfaction": made.satisfaction,
            "appeal_status": made.appeal.status,
        },
    )


@router.post(
    "/appeals/{code}/exclusion", response={201: ExclusionOut, **ERRORS}, summary="申请考核剔除"
)
def request_exclusion(request: HttpRequest, code: str, payload: ExclusionIn) -> Created[Any]:
    actor = Actor.from_user(request.user)
    selectors.access_appeal(code, actor)
    return Created(201, services.request_exclusion(code, actor=actor, reason=payload.reason))


@router.post(
    "/appeals/{code}/exclusion/decision",
    response={200: ExclusionOut, **ERRORS},
    summary="审批考核剔除",
)
def decide_exclusion(request: HttpRequest, code: str, payload: DecisionIn) -> Any:
    actor = Actor.from_user(request.user)
    selectors.access_appeal(code, actor)
    return services.decide_exclusion(code, actor=actor, **payload.dict())


@router.get(
    "/assessment",
    response={200: list[UnitScoreOut], **ERRORS},
    summary="三率考核月度排名 (three rates ranking)",
)
def assessment(request: HttpRequest, month: str, unit_kind: str = "") -> list[Any]:
    check_may_assess(Actor.from_user(request.user))
    return [s.__dict__ for s in monthly_ranking(parse_month(month), unit_kind=unit_kind or None)]
