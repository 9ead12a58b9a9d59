"""What the responsible unit does, over the staff API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from cityloop.access.tokens import STAFF_AUTH
from cityloop.appeals import selectors
from cityloop.appeals.api import DETAIL, act, actor_of
from cityloop.appeals.schemas import ReasonIn, VersionIn
from cityloop.handling import services
from cityloop.handling.schemas import DeferIn, MergeIn, NoteIn, ReplyIn

router = Router(auth=STAFF_AUTH, tags=["appeals"])


@router.post("/appeals/{code}/sign-for", response=DETAIL, summary="签收 (sign for)")
def sign_for(request: HttpRequest, code: str, payload: VersionIn) -> dict[str, Any]:
    return act(request, code, services.sign_for, **payload.dict())


@router.post("/appeals/{code}/contact", response=DETAIL, summary="联系诉求人")
def record_contact(request: HttpRequest, code: str, payload: NoteIn) -> dict[str, Any]:
    return act(request, code, services.record_contact, note=payload.note)


@router.post("/appeals/{code}/reply", response=DETAIL, summary="办结答复 (reply)")
def reply(request: HttpRequest, code: str, payload: ReplyIn) -> dict[str, Any]:
    return act(request, code, services.reply, **payload.dict())


@router.post("/appeals/{code}/defer", response=DETAIL, summary="挂账 (cannot be resolved now)")
def defer(request: HttpRequest, code: str, payload: DeferIn) -> dict[str, Any]:
    return act(request, code, services.defer, **payload.dict())


@router.post("/appeals/{code}/resume", response=DETAIL, summary="恢复办理")
def resume(request: HttpRequest, code: str, payload: NoteIn) -> dict[str, Any]:
    return act(request, code, services.resume, reason=payload.note)


@router.post("/appeals/{code}/close", response=DETAIL, summary="关闭")
def close(request: HttpRequest, code: str, payload: NoteIn) -> dict[str, Any]:
    return act(request, code, services.close, reason=payload.note)


@router.post("/appeals/{code}/reopen", response=DETAIL, summary="重新办理 (reopen)")
def reopen(request: HttpRequest, code: str, payload: ReasonIn) -> dict[str, Any]:
    return act(request, code, services.reopen, reason=payload.reason)


@router.post("/appeals/{code}/merge", response=DETAIL, summary="合并重复诉求 (merge)")
def merge(request: HttpRequest, code: str, payload: MergeIn) -> dict[str, Any]:
    actor = actor_of(request)
    selectors.access_appeal(payload.into_code, actor)
    return act(request, code, services.merge, **payload.dict())


@router.post(
    "/appeals/{code}/reply/accept",
    response=DETAIL,
    summary="答复审核通过 (accept a weak reply)",
)
def accept_reply(request: HttpRequest, code: str, payload: NoteIn) -> dict[str, Any]:
    return act(request, code, services.accept_reply, note=payload.note)


@router.post(
    "/appeals/{code}/reply/return",
    response=DETAIL,
    summary="退回重办 (return a weak reply for rework)",
)
def return_reply(request: HttpRequest, code: str, payload: ReasonIn) -> dict[str, Any]:
    return act(request, code, services.return_reply, reason=payload.reason)


@router.post(
    "/appeals/{code}/close-unresolved",
    response=DETAIL,
    summary="办结未解决 (closed, not fixed)",
)
def close_unresolved(request: HttpRequest, code: str, payload: ReasonIn) -> dict[str, Any]:
    return act(request, code, services.close_unresolved, reason=payload.reason)
