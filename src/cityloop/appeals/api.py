"""Staff JSON API for the appeal loop. Thin: parse, call a service, shape the answer."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Header, Query, Router

from cityloop.access.actors import Actor
from cityloop.access.tokens import STAFF_AUTH
from cityloop.appeals import scope, selectors
from cityloop.appeals.schemas import AppealOut, EventOut
from cityloop.kernel.api_schema import ERRORS, Page
from cityloop.kernel.errors import DomainError

router = Router(auth=STAFF_AUTH, tags=["appeals"])


def actor_of(request: HttpRequest) -> Actor:
    return Actor.from_user(request.user)


def _detail(request: HttpRequest, code: str) -> dict[str, Any]:
    actor = actor_of(request)
    appeal = selectors.access_appeal(code, actor)
    return selectors.appeal_detail(appeal, **selectors.shown_to(actor, appeal))


class AppealFilter(Page):
    status: str | None = None
    unit_code: str | None = None


@router.get(
    "/appeals",
    response={200: list[AppealOut], **ERRORS},
    summary="诉求列表 (search)",
    description="按来电号码查找时，号码放在请求头 X-Caller-Phone 中：不进入网址和访问日志。",
)
def list_appeals(
    request: HttpRequest,
    filters: Query[AppealFilter],
    caller_phone: str | None = Header(None, alias="X-Caller-Phone"),
) -> list[dict[str, Any]]:
    actor = actor_of(request)
    if "phone" in request.GET:
        raise DomainError(
            "phone_in_url",
            _("来电号码请放在请求头 X-Caller-Phone 中，不要写进网址（网址会记入访问日志）"),
            field="phone",
        )
    appeals = selectors.for_detail(selectors.visible_appeals(actor))
    if filters.status:
        appeals = appeals.filter(status=filters.status)
    if filters.unit_code:
        appeals = appeals.filter(main_unit__code=filters.unit_code)
    if caller_phone:
        appeals = selectors.by_caller_phone(appeals, actor, caller_phone)
    page = appeals.order_by("-received_at")[filters.window()]
    return [selectors.appeal_detail(a, **selectors.shown_to(actor, a)) for a in page]


@router.get("/appeals/{code}", response={200: AppealOut, **ERRORS}, summary="诉求详情")
def get_appeal(request: HttpRequest, code: str) -> dict[str, Any]:
    return _detail(request, code)


@router.get(
    "/appeals/{code}/timeline",
    response={200: list[EventOut], **ERRORS},
    summary="办理全过程记录 (timeline)",
)
def get_timeline(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    actor = actor_of(request)
    appeal = selectors.access_appeal(code, actor)
    shown = selectors.shown_to(actor, appeal)
    return selectors.timeline_out(appeal, **shown)


def act(request: HttpRequest, code: str, action: Any, **kwargs: Any) -> dict[str, Any]:
    """Check the caller may see the appeal, act, and answer with the appeal as the step left
    it — also when the step ended the caller's hold on it (a send-back, an assisting
    unit's reply): the caller was allowed to take it, so it gets its result, not a 403."""
    actor = actor_of(request)
    selectors.access_appeal(code, actor)
    action(code, actor=actor, **kwargs)
    appeal = scope.appeal_by_code(code)
    return selectors.appeal_detail(appeal, **selectors.shown_to(actor, appeal))


DETAIL = {200: AppealOut, **ERRORS}
