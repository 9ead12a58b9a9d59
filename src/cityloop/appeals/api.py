"""Staff JSON API for the appeal loop. Thin: parse, call a service, shape the answer."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Header, Query, Router
from ninja.responses import Status as Created

from cityloop.appeals import scope, selectors
from cityloop.appeals.actors import Actor, refuse_phone_lookup
from cityloop.appeals.schemas import (
    AppealIn,
    AppealOut,
    AssistIn,
    CreatedOut,
    DecisionIn,
    DeferIn,
    DispatchIn,
    EventOut,
    ExtensionIn,
    ExtensionOut,
    MergeIn,
    NoteIn,
    ReasonIn,
    RedispatchIn,
    ReplyIn,
    ResponseIn,
    SuperviseIn,
    SupervisionOut,
    VersionIn,
)
from cityloop.core.api_schema import ERRORS, Page
from cityloop.core.errors import DomainError
from cityloop.dispatch import services as dispatch_services
from cityloop.handling import services as handling_services
from cityloop.intake import services as intake_services
from cityloop.org.api_auth import STAFF_AUTH
from cityloop.oversight import services as oversight_services

router = Router(auth=STAFF_AUTH, tags=["appeals"])


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_user(request.user)


def _detail(request: HttpRequest, code: str) -> dict[str, Any]:
    actor = _actor(request)
    appeal = selectors.access_appeal(code, actor)
    return selectors.appeal_detail(appeal, personal=actor.sees_personal_data)


@router.post("/appeals", response={201: CreatedOut, **ERRORS}, summary="受理诉求 (intake)")
def create_appeal(request: HttpRequest, payload: AppealIn) -> Created[dict[str, Any]]:
    data = payload.dict()
    auto_dispatch = data.pop("auto_dispatch")
    appeal = intake_services.receive_appeal(
        intake_services.AppealDraft(**data), actor=_actor(request), auto_dispatch=auto_dispatch
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
    actor = _actor(request)
    if "phone" in request.GET:
        raise DomainError(
            "phone_in_url",
            _("来电号码请放在请求头 X-Caller-Phone 中，不要写进网址（网址会记入访问日志）"),
            field="phone",
        )
    appeals = selectors.visible_appeals(actor).select_related(
        "main_unit", "category", "grid", "street", "district", "merged_into"
    )
    if filters.status:
        appeals = appeals.filter(status=filters.status)
    if filters.unit_code:
        appeals = appeals.filter(main_unit__code=filters.unit_code)
    if caller_phone:
        refuse_phone_lookup(actor)
        appeals = appeals.filter(caller_phone=caller_phone)
    page = appeals.order_by("-received_at")[filters.window()]
    return [selectors.appeal_detail(a, personal=actor.sees_personal_data) for a in page]


@router.get("/appeals/{code}", response={200: AppealOut, **ERRORS}, summary="诉求详情")
def get_appeal(request: HttpRequest, code: str) -> dict[str, Any]:
    return _detail(request, code)


@router.get(
    "/appeals/{code}/timeline",
    response={200: list[EventOut], **ERRORS},
    summary="办理全过程记录 (timeline)",
)
def get_timeline(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    actor = _actor(request)
    appeal = selectors.access_appeal(code, actor)
    personal = actor.sees_personal_data
    return [selectors.event_out(e, personal=personal) for e in selectors.timeline(appeal)]


def _act(request: HttpRequest, code: str, action: Any, **kwargs: Any) -> dict[str, Any]:
    """Check the caller may see the appeal, act, and answer with the appeal as the step left
    it — also when the step ended the caller's hold on it (a send-back, an assisting
    unit's reply): the caller was allowed to take it, so it gets its result, not a 403."""
    actor = _actor(request)
    selectors.access_appeal(code, actor)
    action(code, actor=actor, **kwargs)
    return selectors.appeal_detail(scope.appeal_by_code(code))


DETAIL = {200: AppealOut, **ERRORS}


@router.post("/appeals/{code}/dispatch", response=DETAIL, summary="派单 (dispatch)")
def dispatch(request: HttpRequest, code: str, payload: DispatchIn) -> dict[str, Any]:
    return _act(request, code, dispatch_services.dispatch, **payload.dict())


@router.post("/appeals/{code}/redispatch", response=DETAIL, summary="改派 (re-dispatch)")
def redispatch(request: HttpRequest, code: str, payload: RedispatchIn) -> dict[str, Any]:
    return _act(request, code, dispatch_services.redispatch, **payload.dict())


@router.post("/appeals/{code}/assist", response=DETAIL, summary="增加协办单位 (co-handling)")
def add_assist(request: HttpRequest, code: str, payload: AssistIn) -> dict[str, Any]:
    return _act(request, code, dispatch_services.add_assist, unit_code=payload.unit_code)


@router.post("/appeals/{code}/sign-for", response=DETAIL, summary="签收 (sign for)")
def sign_for(request: HttpRequest, code: str, payload: VersionIn) -> dict[str, Any]:
    return _act(request, code, handling_services.sign_for, **payload.dict())


@router.post("/appeals/{code}/send-back", response=DETAIL, summary="退单 (send back)")
def send_back(request: HttpRequest, code: str, payload: ReasonIn) -> dict[str, Any]:
    return _act(request, code, dispatch_services.send_back, **payload.dict())


@router.post("/appeals/{code}/contact", response=DETAIL, summary="联系诉求人")
def record_contact(request: HttpRequest, code: str, payload: NoteIn) -> dict[str, Any]:
    return _act(request, code, handling_services.record_contact, note=payload.note)


@router.post("/appeals/{code}/reply", response=DETAIL, summary="办结答复 (reply)")
def reply(request: HttpRequest, code: str, payload: ReplyIn) -> dict[str, Any]:
    return _act(request, code, handling_services.reply, **payload.dict())


@router.post("/appeals/{code}/defer", response=DETAIL, summary="挂账 (cannot be resolved now)")
def defer(request: HttpRequest, code: str, payload: DeferIn) -> dict[str, Any]:
    return _act(request, code, handling_services.defer, **payload.dict())


@router.post("/appeals/{code}/resume", response=DETAIL, summary="恢复办理")
def resume(request: HttpRequest, code: str, payload: NoteIn) -> dict[str, Any]:
    return _act(request, code, handling_services.resume, reason=payload.note)


@router.post("/appeals/{code}/close", response=DETAIL, summary="关闭")
def close(request: HttpRequest, code: str, payload: NoteIn) -> dict[str, Any]:
    return _act(request, code, handling_services.close, reason=payload.note)


@router.post("/appeals/{code}/reopen", response=DETAIL, summary="重新办理 (reopen)")
def reopen(request: HttpRequest, code: str, payload: ReasonIn) -> dict[str, Any]:
    return _act(request, code, handling_services.reopen, reason=payload.reason)


@router.post("/appeals/{code}/merge", response=DETAIL, summary="合并重复诉求 (merge)")
def merge(request: HttpRequest, code: str, payload: MergeIn) -> dict[str, Any]:
    actor = _actor(request)
    selectors.access_appeal(payload.into_code, actor)
    return _act(request, code, handling_services.merge, **payload.dict())


@router.post(
    "/appeals/{code}/extensions",
    response={201: ExtensionOut, **ERRORS},
    summary="申请延期 (extension request)",
)
def request_extension(request: HttpRequest, code: str, payload: ExtensionIn) -> Created[Any]:
    actor = _actor(request)
    selectors.access_appeal(code, actor)
    return Created(201, oversight_services.request_extension(code, actor=actor, **payload.dict()))


@router.post(
    "/extensions/{request_id}/decision", response={200: ExtensionOut, **ERRORS}, summary="审批延期"
)
def decide_extension(request: HttpRequest, request_id: int, payload: DecisionIn) -> Any:
    return oversight_services.decide_extension(request_id, actor=_actor(request), **payload.dict())


@router.post(
    "/appeals/{code}/supervision",
    response={201: SupervisionOut, **ERRORS},
    summary="督办 (issue a supervision order)",
)
def supervise(request: HttpRequest, code: str, payload: SuperviseIn) -> Created[Any]:
    actor = _actor(request)
    selectors.access_appeal(code, actor)
    return Created(201, oversight_services.supervise(code, actor=actor, **payload.dict()))


@router.post(
    "/supervision/{order_id}/response", response={200: SupervisionOut, **ERRORS}, summary="督办反馈"
)
def respond_supervision(request: HttpRequest, order_id: int, payload: ResponseIn) -> Any:
    return oversight_services.respond_supervision(
        order_id, actor=_actor(request), response=payload.response
    )
