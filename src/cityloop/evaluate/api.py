"""Callbacks and 剔除 over the API (the ranking is assessment.api)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status as Created

from cityloop.access.actors import Actor
from cityloop.access.tokens import STAFF_AUTH
from cityloop.appeals import selectors
from cityloop.appeals.schemas import DecisionIn
from cityloop.evaluate import services
from cityloop.evaluate.schemas import CallbackIn, CallbackOut
from cityloop.kernel.api_schema import ERRORS, InSchema

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
