"""受理 over the staff API: one route, POST /appeals, on the record's router (ninja serves
the methods of one path from one router; GET /appeals is appeals.api's list)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.responses import Status as Created

from cityloop.appeals.api import actor_of, router
from cityloop.intake import services
from cityloop.intake.schemas import AppealIn, CreatedOut
from cityloop.kernel.api_schema import ERRORS


@router.post("/appeals", response={201: CreatedOut, **ERRORS}, summary="受理诉求 (intake)")
def create_appeal(request: HttpRequest, payload: AppealIn) -> Created[dict[str, Any]]:
    data = payload.dict()
    auto_dispatch = data.pop("auto_dispatch")
    appeal = services.receive_appeal(
        services.AppealDraft(**data), actor=actor_of(request), auto_dispatch=auto_dispatch
    )
    unit = appeal.main_unit
    return Created(
        201,
        {
            "tracking_code": appeal.tracking_code,
            "status": appeal.status,
            "main_unit": {"code": unit.code, "name": unit.name} if unit else None,
            "dispatch_reason": appeal.dispatch_reason,
        },
    )
