"""The citizen's own rating over the public API (市民评价): a callback the citizen gives."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router

from cityloop.access.actors import Actor
from cityloop.appeals import selectors
from cityloop.appeals.models import Appeal
from cityloop.appeals.public_api import find_by_code, lookup
from cityloop.appeals.schemas import PublicAppealOut
from cityloop.evaluate.schemas import CitizenEvaluationIn
from cityloop.evaluate.services import record_callback
from cityloop.kernel import throttle
from cityloop.kernel.api_schema import PUBLIC_ERRORS as ERRORS
from cityloop.kernel.errors import PermissionDenied
from cityloop.kernel.throttle import client_ip

router = Router(tags=["public"])


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
    appeal.refresh_from_db()
    return appeal


def thank_you(appeal: Appeal) -> str:
    """What the citizen reads after rating: thanks, and what happens next."""
    return f"{_('感谢您的评价。')}{selectors.next_step(appeal)}"


@router.post(
    "/track/{code}/evaluation",
    response={200: PublicAppealOut, **ERRORS},
    summary="市民评价（未解决则重新办理）",
)
def evaluate(request: HttpRequest, code: str, payload: CitizenEvaluationIn) -> dict[str, Any]:
    appeal = evaluate_as_citizen(request, code, payload)
    return selectors.public_view(find_by_code(appeal.tracking_code))
