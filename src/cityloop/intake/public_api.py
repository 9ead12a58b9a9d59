"""The citizen's report over the public API (市民提交诉求)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status as Created

from cityloop.access.actors import Actor
from cityloop.appeals.enums import Channel
from cityloop.appeals.public_api import check_report_rate
from cityloop.intake.schemas import CreatedOut, PublicAppealIn
from cityloop.intake.services import AppealDraft, receive_appeal
from cityloop.kernel.api_schema import PUBLIC_ERRORS as ERRORS

router = Router(tags=["public"])


@router.post("/appeals", response={201: CreatedOut, **ERRORS}, summary="市民提交诉求")
def submit(request: HttpRequest, payload: PublicAppealIn) -> Created[dict[str, Any]]:
    check_report_rate(request)
    draft = AppealDraft(channel=Channel.WEB, **payload.dict())
    appeal = receive_appeal(draft, actor=Actor.citizen())
    return Created(
        201,
        {
            "tracking_code": appeal.tracking_code,
            "status": appeal.status,
            "main_unit": None,
            "dispatch_reason": "",
        },
    )
