"""Extensions and supervision orders over the staff API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router
from ninja.responses import Status as Created

from cityloop.access.tokens import STAFF_AUTH
from cityloop.appeals import selectors
from cityloop.appeals.api import actor_of
from cityloop.appeals.schemas import DecisionIn
from cityloop.kernel.api_schema import ERRORS, InSchema
from cityloop.oversight import services
from cityloop.oversight.schemas import ExtensionOut, ResponseIn, SupervisionOut
from cityloop.oversight.services import MAX_EXTENSION_DAYS, MAX_RESPONSE_HOURS

router = Router(auth=STAFF_AUTH, tags=["appeals"])


class ExtensionIn(InSchema):
    extra_working_days: int = Field(..., ge=1, le=MAX_EXTENSION_DAYS, title="延长工作日")
    reason: str = Field(..., max_length=2000, title="延期理由")


class SuperviseIn(InSchema):
    requirement: str = Field(..., max_length=2000, title="督办要求")
    respond_within_hours: int = Field(24, ge=1, le=MAX_RESPONSE_HOURS, title="反馈时限（小时）")


@router.post(
    "/appeals/{code}/extensions",
    response={201: ExtensionOut, **ERRORS},
    summary="申请延期 (extension request)",
)
def request_extension(request: HttpRequest, code: str, payload: ExtensionIn) -> Created[Any]:
    actor = actor_of(request)
    selectors.access_appeal(code, actor)
    return Created(201, services.request_extension(code, actor=actor, **payload.dict()))


@router.post(
    "/extensions/{request_id}/decision", response={200: ExtensionOut, **ERRORS}, summary="审批延期"
)
def decide_extension(request: HttpRequest, request_id: int, payload: DecisionIn) -> Any:
    return services.decide_extension(request_id, actor=actor_of(request), **payload.dict())


@router.post(
    "/appeals/{code}/supervision",
    response={201: SupervisionOut, **ERRORS},
    summary="督办 (issue a supervision order)",
)
def supervise(request: HttpRequest, code: str, payload: SuperviseIn) -> Created[Any]:
    actor = actor_of(request)
    selectors.access_appeal(code, actor)
    return Created(201, services.supervise(code, actor=actor, **payload.dict()))


@router.post(
    "/supervision/{order_id}/response", response={200: SupervisionOut, **ERRORS}, summary="督办反馈"
)
def respond_supervision(request: HttpRequest, order_id: int, payload: ResponseIn) -> Any:
    return services.respond_supervision(
        order_id, actor=actor_of(request), response=payload.response
    )
