"""未诉先办 over the staff API: proposals (list, accept, decline), 每月一题 (candidates and
chosen topics, choose, resolve) and the forecasts."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema
from ninja.responses import Status as Created

from cityloop.access.actors import Actor
from cityloop.access.tokens import STAFF_AUTH
from cityloop.assessment.rates import month_or_current, parse_month
from cityloop.kernel import clock
from cityloop.kernel.api_schema import ERRORS, InSchema
from cityloop.kernel.errors import PermissionDenied, invalid_field
from cityloop.proactive import selectors, services
from cityloop.proactive.access import FORECASTING
from cityloop.proactive.forecast import MAX_HORIZON
from cityloop.proactive.models import MonthlyTopic, Proposal, ProposalStatus
from cityloop.proactive.outlook import city_outlook
from cityloop.warning.selectors import alert_for

router = Router(auth=STAFF_AUTH, tags=["proactive"])


class ProposalOut(Schema):
    id: int
    source: str
    status: str
    title: str
    reason: str
    area_code: str
    area: str
    category_code: str
    category: str
    unit_code: str | None
    unit: str | None
    act_by: date | None
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str
    appeal_code: str | None
    evidence: dict[str, Any]


class TopicOut(Schema):
    id: int
    month: str
    title: str
    reason: str
    area_code: str
    area: str
    category_code: str
    category: str
    status: str
    chosen_by: str
    chosen_at: datetime
    volume_before: int
    volume_after: list[int]
    months_after: list[str]
    resolved_at: datetime | None
    resolution_note: str


class CandidateOut(Schema):
    area_id: int
    area: str
    category_id: int
    category: str
    count: int
    previous: int
    months: list[int]
    trend: float
    so_far: int
    chosen: bool


class TopicsOut(Schema):
    month: str
    candidates: list[CandidateOut]
    chosen: list[TopicOut]


class ForecastOut(Schema):
    area_id: int
    area: str
    category_id: int
    category: str
    usual: float
    weeks: list[date]
    mean: list[float]
    lower: list[float]
    upper: list[float]


class NoteIn(InSchema):
    note: str = Field("", max_length=2000, title="说明")


class ReasonIn(InSchema):
    reason: str = Field(..., max_length=2000, title="不采纳理由")


class ChooseIn(InSchema):
    month: str = Field(..., title="月份 YYYY-MM")
    area_id: int = Field(..., title="地区")
    category_id: int = Field(..., title="分类")
    title: str = Field(..., max_length=200, title="题目")
    reason: str = Field("", max_length=2000, title="选题理由")


class ResolveIn(InSchema):
    note: str = Field(..., max_length=2000, title="解决情况")


def _name(user: Any) -> str | None:
    if user is None:
        return None
    profile = getattr(user, "staff", None)
    return (profile.display_name if profile else "") or user.get_username()


def proposal_out(proposal: Proposal) -> dict[str, Any]:
    return {
        "id": proposal.pk,
        "source": proposal.source,
        "status": proposal.status,
        "title": proposal.title,
        "reason": proposal.reason,
        "area_code": proposal.area.code,
        "area": proposal.area.name,
        "category_code": proposal.category.code,
        "category": proposal.category.name,
        "unit_code": proposal.unit.code if proposal.unit else None,
        "unit": proposal.unit.name if proposal.unit else None,
        "act_by": proposal.act_by,
        "proposed_at": proposal.proposed_at,
        "decided_by": _name(proposal.decided_by),
        "decided_at": proposal.decided_at,
        "decision_note": proposal.decision_note,
        "appeal_code": proposal.appeal.tracking_code if proposal.appeal else None,
        "evidence": proposal.evidence,
    }


def topic_out(topic: MonthlyTopic) -> dict[str, Any]:
    volume = selectors.volume_since_chosen(topic)
    return {
        "id": topic.pk,
        "month": f"{topic.month:%Y-%m}",
        "title": topic.title,
        "reason": topic.reason,
        "area_code": topic.area.code,
        "area": topic.area.name,
        "category_code": topic.category.code,
        "category": topic.category.name,
        "status": topic.status,
        "chosen_by": _name(topic.chosen_by),
        "chosen_at": topic.chosen_at,
        "volume_before": topic.volume_before,
        "volume_after": volume["after"],
        "months_after": volume["months"],
        "resolved_at": topic.resolved_at,
        "resolution_note": topic.resolution_note,
    }


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_user(request.user)


@router.get(
    "/proactive/proposals",
    response={200: list[ProposalOut], **ERRORS},
    summary="主动治理建议 (proactive proposals)",
    description="The centre sees every proposal; a unit's staff their unit's (and the units "
    "under it for a supervisor). `status`: proposed, accepted or declined.",
)
def list_proposals(request: HttpRequest, status: str = "") -> list[dict[str, Any]]:
    if status and status not in ProposalStatus.values:
        raise invalid_field("status", _("未知的状态：%(value)s"), value=status)
    found = selectors.visible_proposals(_actor(request), status=status)[:500]
    return [proposal_out(p) for p in found.select_related("decided_by__staff")]


@router.post(
    "/proactive/proposals/{proposal_id}/accept",
    response={200: ProposalOut, **ERRORS},
    summary="采纳建议：生成主动治理工单 (accept: a proactive appeal)",
)
def accept_proposal(request: HttpRequest, proposal_id: int, payload: NoteIn) -> dict[str, Any]:
    actor = _actor(request)
    proposal = selectors.proposal_for(actor, proposal_id)
    return proposal_out(services.accept(proposal, actor=actor, note=payload.note))


@router.post(
    "/proactive/proposals/{proposal_id}/decline",
    response={200: ProposalOut, **ERRORS},
    summary="不采纳建议 (decline, with the reason)",
)
def decline_proposal(request: HttpRequest, proposal_id: int, payload: ReasonIn) -> dict[str, Any]:
    actor = _actor(request)
    proposal = selectors.proposal_for(actor, proposal_id)
    return proposal_out(services.decline(proposal, actor=actor, reason=payload.reason))


@router.post(
    "/alerts/{alert_id}/respond",
    response={200: ProposalOut, **ERRORS},
    summary="响应预警：转为主动治理工单 (turn an alert into a proactive case)",
)
def respond_to_alert(request: HttpRequest, alert_id: int, payload: NoteIn) -> dict[str, Any]:
    actor = _actor(request)
    alert = alert_for(actor, alert_id)
    return proposal_out(services.respond_to_alert(alert, actor=actor, note=payload.note))


@router.get(
    "/proactive/topics",
    response={200: TopicsOut, **ERRORS},
    summary="每月一题：候选与已选 (the month's candidates and chosen topics)",
)
def list_topics(request: HttpRequest, month: str = "") -> dict[str, Any]:
    _actor(request)
    chosen_month = month_or_current(month)
    return {
        "month": f"{chosen_month:%Y-%m}",
        "candidates": [asdict(c) for c in selectors.candidates(chosen_month)],
        "chosen": [topic_out(t) for t in selectors.topics(month=chosen_month)],
    }


@router.post(
    "/proactive/topics", response={201: TopicOut, **ERRORS}, summary="选定每月一题 (choose)"
)
def choose_topic(request: HttpRequest, payload: ChooseIn) -> Created[Any]:
    actor = _actor(request)
    month = parse_month(payload.month)
    topic = services.choose_by_ids(
        month,
        area_id=payload.area_id,
        category_id=payload.category_id,
        actor=actor,
        title=payload.title,
        reason=payload.reason,
    )
    return Created(201, topic_out(topic))


@router.post(
    "/proactive/topics/{topic_id}/resolve",
    response={200: TopicOut, **ERRORS},
    summary="每月一题已解决 (resolve)",
)
def resolve_topic(request: HttpRequest, topic_id: int, payload: ResolveIn) -> dict[str, Any]:
    actor = _actor(request)
    return topic_out(services.resolve(selectors.topic(topic_id), actor=actor, note=payload.note))


@router.get(
    "/proactive/forecasts",
    response={200: list[ForecastOut], **ERRORS},
    summary="各区分类诉求量预测 (weekly forecasts per district × category)",
)
def forecasts(
    request: HttpRequest,
    horizon: int = 4,
    area_id: int | None = None,
    category_id: int | None = None,
) -> list[dict[str, Any]]:
    if _actor(request).role not in FORECASTING:
        raise PermissionDenied("role_not_allowed", _("您的角色无权查看诉求量预测"))
    if not 1 <= horizon <= MAX_HORIZON:
        raise invalid_field("horizon", _("预测周数须为 1 到 %(max)d"), max=MAX_HORIZON)
    found = city_outlook(
        as_of=clock.today(), horizon=horizon, area_id=area_id, category_id=category_id
    )
    return [
        {
            "area_id": o.area_id,
            "area": o.area,
            "category_id": o.category_id,
            "category": o.category,
            "usual": round(o.usual, 2),
            "weeks": o.forecast.weeks,
            "mean": [round(float(v), 2) for v in o.forecast.mean],
            "lower": [float(v) for v in o.forecast.lower],
            "upper": [float(v) for v in o.forecast.upper],
        }
        for o in found
    ]
