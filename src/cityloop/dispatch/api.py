"""派单, 改派, 协办 and 退单 over the staff API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from cityloop.access.tokens import STAFF_AUTH
from cityloop.appeals.api import DETAIL, act
from cityloop.appeals.schemas import ReasonIn
from cityloop.dispatch import services
from cityloop.dispatch.schemas import AssistIn, DispatchIn, RedispatchIn

router = Router(auth=STAFF_AUTH, tags=["appeals"])


@router.post("/appeals/{code}/dispatch", response=DETAIL, summary="派单 (dispatch)")
def dispatch(request: HttpRequest, code: str, payload: DispatchIn) -> dict[str, Any]:
    return act(request, code, services.dispatch, **payload.dict())


@router.post("/appeals/{code}/redispatch", response=DETAIL, summary="改派 (re-dispatch)")
def redispatch(request: HttpRequest, code: str, payload: RedispatchIn) -> dict[str, Any]:
    return act(request, code, services.redispatch, **payload.dict())


@router.post("/appeals/{code}/assist", response=DETAIL, summary="增加协办单位 (co-handling)")
def add_assist(request: HttpRequest, code: str, payload: AssistIn) -> dict[str, Any]:
    return act(request, code, services.add_assist, unit_code=payload.unit_code)


@router.post("/appeals/{code}/send-back", response=DETAIL, summary="退单 (send back)")
def send_back(request: HttpRequest, code: str, payload: ReasonIn) -> dict[str, Any]:
    return act(request, code, services.send_back, **payload.dict())
