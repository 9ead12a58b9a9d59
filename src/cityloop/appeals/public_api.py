"""What a citizen can do without logging in: submit, track by code, evaluate."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router
from ninja.responses import Status as Created

from cityloop.appeals import selectors
from cityloop.appeals.actors import Actor
from cityloop.appeals.codes import clean_tracking_code
from cityloop.appeals.enums import Channel
from cityloop.appeals.models import Appeal
from cityloop.appeals.schemas import (
    CitizenEvaluationIn,
    CreatedOut,
    PublicAppealIn,
    PublicAppealOut,
)
from cityloop.core import throttle
from cityloop.core.api_schema import PUBLIC_ERRORS as ERRORS
from cityloop.core.errors import NotFound, PermissionDenied
from cityloop.core.throttle import client_ip
from cityloop.evaluate.services import record_callback
from cityloop.intake.services import AppealDraft, receive_appeal

router = Router(tags=["public"])


def find_by_code(code: str) -> Appeal:
    appeal = (
        Appeal.objects.select_related("main_unit", "category")
        .filter(tracking_code=clean_tracking_code(code))
        .first()
    )
    if appeal is None:
        raise NotFound("appeal_not_found", _("查询码 %(code)s 对应的诉求不存在"), code=code)
    return appeal


def lookup(request: HttpRequest, code: str) -> Appeal:
    """find_by_code for an anonymous caller: codes that do not exist are counted per
    address, so nobody can walk the code space to read other people's appeals."""
    address = client_ip(request)
    throttle.check(request, "track_miss_per_ip", address)
    try:
        return find_by_code(code)
    except NotFound:
        throttle.count(request, "track_miss_per_ip", address)
        raise


def check_report_rate(request: HttpRequest) -> None:
    """One budget of reports per address for the report page and the API together."""
    throttle.spend(request, "report_per_ip", client_ip(request))


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


@router.get("/track/{code}", response={200: PublicAppealOut, **ERRORS}, summary="按查询码查询进度")
def track(request: HttpRequest, code: str) -> dict[str, Any]:
    return selectors.public_view(lookup(request, code))


def evaluate_as_citizen(request: HttpRequest, code: str, data: CitizenEvaluationIn) -> Appeal:
    """The citizen proves it is them with the last four digits of the phone they gave.

    Four digits are 10,000 guesses: every attempt counts against the appeal (whoever makes
    it, from however many addresses) and against the caller's address, before the digits
    are compared; over either limit even the right digits are refused until the window
    passes."""
    appeal = lookup(request, code)
    throttle.spend(request, "evaluation_per_ip", client_ip(request))
    throttle.spend(request, "evaluation_per_appeal", appeal.tracking_code)
    digits = "".join(ch for ch in appeal.caller_phone if ch.isdigit())
    if not digits or digits[-4:] != data.phone_last4:
        raise PermissionDenied("phone_mismatch", _("手机号后四位与诉求登记的不一致"))
    record_callback(
        appeal.tracking_code,
        actor=Actor.citizen(),
        contacted=data.contacted,
        resolved=data.resolved,
        satisfaction=data.satisfaction,
        comment=data.comment,
        reopen_if_unresolved=True,
    )
    return appeal


@router.post(
    "/track/{code}/evaluation",
    response={200: PublicAppealOut, **ERRORS},
    summary="市民评价（未解决则重新办理）",
)
def evaluate(request: HttpRequest, code: str, payload: CitizenEvaluationIn) -> dict[str, Any]:
    appeal = evaluate_as_citizen(request, code, payload)
    return selectors.public_view(find_by_code(appeal.tracking_code))
