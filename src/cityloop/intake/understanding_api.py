"""API for understanding appeals: preview for the call-taker, suggestions and corrections,
duplicates, a caller's history, and the reply check."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from cityloop.access.actors import Actor, refuse_phone_lookup
from cityloop.access.tokens import STAFF_AUTH
from cityloop.appeals import scope, selectors
from cityloop.appeals.schemas import AppealOut
from cityloop.classify.reply_check import check_reply
from cityloop.dispatch.rules import decisions_for
from cityloop.dispatch.services import categorize
from cityloop.geo.models import StandardAddress
from cityloop.intake import duplicates
from cityloop.intake.understanding import matchers, understand
from cityloop.kernel.api_schema import ERRORS, InSchema, Page

router = Router(auth=STAFF_AUTH, tags=["understanding"])


class TextIn(InSchema):
    text: str = Field(..., min_length=1, max_length=5000)


class RankedOut(Schema):
    code: str
    path: str
    confidence: float
    unit: str | None = None
    unit_reason: str | None = None


class AddressOut(Schema):
    code: str
    full_text: str
    score: float
    reasons: list[str]


class PreviewOut(Schema):
    model: str | None
    categories: list[RankedOut]
    confident: bool
    emergency: bool
    urgency_reasons: list[str]
    addresses: list[AddressOut]


class SuggestionOut(Schema):
    model: str
    stage: str = Field(description="fast: at intake; second: the background second opinion")
    created_at: Any
    confidence: float
    auto_applied: bool
    categories: list[RankedOut]


class CategoryIn(InSchema):
    category_code: str
    reason: str = Field("", max_length=500)


class CandidateOut(Schema):
    tracking_code: str
    title: str
    status: str
    score: float
    reasons: list[str]


class HistoryOut(Schema):
    tracking_code: str
    title: str
    status: str
    received_at: Any
    main_unit: str | None


class ReplyCheckIn(InSchema):
    text: str = Field(..., max_length=5000)


class ReplyCheckOut(Schema):
    ok: bool
    score: float
    reasons: list[str]


def _with_units(ranked: list[dict[str, Any]], grid: Any) -> list[dict[str, Any]]:
    """For each suggested category, the unit the responsibility rules would choose."""
    decisions = decisions_for([r["code"] for r in ranked], grid)
    out = []
    for row in ranked:
        decision = decisions.get(row["code"])
        out.append(
            {
                **row,
                "unit": decision.unit.name if decision and decision.unit else None,
                "unit_reason": decision.reason if decision else None,
            }
        )
    return out


@router.post(
    "/understand",
    response={200: PreviewOut, **ERRORS},
    summary="话务员预览：分类建议、紧急程度、地址匹配",
)
def preview(request: HttpRequest, payload: TextIn) -> dict[str, Any]:
    Actor.from_user(request.user)
    found = understand(payload.text, want_category=True, want_address=False)
    matcher = matchers.get()
    addresses = matcher.match(payload.text, limit=3) if matcher else []
    texts = dict(
        StandardAddress.objects.filter(code__in=[a.code for a in addresses]).values_list(
            "code", "full_text"
        )
    )
    suggestion = found.suggestion
    ranked = [
        {"code": r.code, "path": r.path, "confidence": r.confidence}
        for r in (suggestion.ranked if suggestion else [])
    ]
    return {
        "model": suggestion.model.name if suggestion else None,
        "categories": _with_units(ranked, None),
        "confident": bool(suggestion and suggestion.confident()),
        "emergency": bool(found.urgency_reasons),
        "urgency_reasons": found.urgency_reasons,
        "addresses": [
            {
                "code": a.code,
                "full_text": texts.get(a.code, ""),
                "score": round(a.score, 3),
                "reasons": a.reasons,
            }
            for a in addresses
        ],
    }


@router.get(
    "/appeals/{code}/suggestions",
    response={200: list[SuggestionOut], **ERRORS},
    summary="分类建议（含模型版本）",
)
def suggestions(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    appeal = selectors.access_appeal(code, Actor.from_user(request.user))
    return [
        {
            "model": s.model.name,
            "stage": s.stage,
            "created_at": s.created_at,
            "confidence": s.confidence,
            "auto_applied": s.auto_applied,
            "categories": _with_units(s.ranked, appeal.place_area),
        }
        for s in appeal.suggestions.select_related("model").order_by("-created_at")
    ]


@router.post(
    "/appeals/{code}/category",
    response={200: AppealOut, **ERRORS},
    summary="人工分类/纠正（纠正将用于重新训练）",
)
def set_category(request: HttpRequest, code: str, payload: CategoryIn) -> dict[str, Any]:
    actor = Actor.from_user(request.user)
    selectors.access_appeal(code, actor)
    categorize(code, actor=actor, category_code=payload.category_code, reason=payload.reason)
    appeal = selectors.access_appeal(code, actor)
    return selectors.appeal_detail(appeal, **selectors.shown_to(actor, appeal))


@router.get(
    "/appeals/{code}/duplicates",
    response={200: list[CandidateOut], **ERRORS},
    summary="疑似同一问题（建议合并）",
)
def same_problem(request: HttpRequest, code: str) -> list[Any]:
    actor = Actor.from_user(request.user)
    appeal = selectors.access_appeal(code, actor)
    candidates = duplicates.same_problem_candidates(appeal)
    return [c.__dict__ for c in scope.only_visible(actor, candidates)]


class CallerIn(Schema):
    phone: str = Field(..., min_length=1, max_length=30)


@router.post(
    "/callers/appeals",
    response={200: list[HistoryOut], **ERRORS},
    summary="来电人历史诉求",
    description="号码在请求体中：不进入网址和访问日志。",
)
def caller_history(request: HttpRequest, payload: CallerIn) -> list[dict[str, Any]]:
    actor = Actor.from_user(request.user)
    refuse_phone_lookup(actor)
    earlier = scope.only_visible(actor, duplicates.caller_history(payload.phone))
    return [
        {
            "tracking_code": a.tracking_code,
            "title": a.title,
            "status": a.status,
            "received_at": a.received_at,
            "main_unit": a.main_unit.name if a.main_unit else None,
        }
        for a in earlier
    ]


@router.post(
    "/appeals/{code}/reply-check",
    response={200: ReplyCheckOut, **ERRORS},
    summary="答复质量检查（办结前）",
)
def reply_check(request: HttpRequest, code: str, payload: ReplyCheckIn) -> dict[str, Any]:
    appeal = selectors.access_appeal(code, Actor.from_user(request.user))
    result = check_reply(f"{appeal.title}{appeal.content}", payload.text)
    return {"ok": result.ok, "score": round(result.score, 3), "reasons": result.reasons}


class FlaggedReplyOut(Schema):
    tracking_code: str
    title: str
    main_unit: str | None
    replied_at: Any
    reply_text: str
    score: float
    reasons: list[str]


@router.get(
    "/replies/flagged",
    response={200: list[FlaggedReplyOut], **ERRORS},
    summary="答复质量存疑、待督办复核的诉求",
)
def flagged_replies(request: HttpRequest, page: Query[Page]) -> list[dict[str, Any]]:
    actor = Actor.from_user(request.user)
    rows = (
        selectors.visible_appeals(actor)
        .filter(reply_flagged=True)
        .select_related("main_unit")
        .order_by("-replied_at")[page.window()]
    )
    personal = actor.sees_personal_data
    return [
        {
            "tracking_code": a.tracking_code,
            "title": a.title if personal else a.public_title,
            "main_unit": a.main_unit.name if a.main_unit else None,
            "replied_at": a.replied_at,
            "reply_text": a.reply_text if personal else a.public_reply,
            "score": a.reply_check.get("score", 0.0),
            "reasons": a.reply_check.get("reasons", []),
        }
        for a in rows
    ]
