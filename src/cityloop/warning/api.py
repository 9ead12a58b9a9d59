"""Early warnings over the staff API: the alerts, one alert with its evidence and appeals,
acknowledging and dismissing (turning one into a case is proactive work: proactive.api),
asking for a run now."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status

from cityloop.access.actors import Actor
from cityloop.access.tokens import STAFF_AUTH
from cityloop.kernel.api_schema import ERRORS
from cityloop.warning import jobs, selectors, services
from cityloop.warning.access import check_may_act
from cityloop.warning.models import Alert, AlertKind, AlertStatus
from cityloop.warning.schemas import (
    AcknowledgeIn,
    AlertDetailOut,
    AlertOut,
    DismissIn,
    RunQueuedOut,
)

router = Router(auth=STAFF_AUTH, tags=["early warning"])

STATUS_FILTERS = ["", "active", *AlertStatus.values]


def alert_out(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "kind": alert.kind,
        "kind_label": alert.get_kind_display(),
        "method": alert.method,
        "status": alert.status,
        "status_label": alert.get_status_display(),
        "area": alert.area.name if alert.area else "",
        "area_code": alert.area.code if alert.area else None,
        "category": alert.category.name if alert.category else "",
        "topic": alert.topic,
        "window_start": alert.window_start,
        "window_end": alert.window_end,
        "observed": alert.observed,
        "expected": alert.expected,
        "statistic": alert.statistic,
        "threshold": alert.threshold,
        "p_value": alert.p_value,
        "evidence": alert.evidence,
        "first_found_at": alert.first_found_at,
        "last_found_at": alert.last_found_at,
        "response_appeal": (alert.response_appeal.tracking_code if alert.response_appeal else None),
    }


@router.get("/alerts", response={200: list[AlertOut], **ERRORS}, summary="预警列表 (alerts)")
def list_alerts(
    request: HttpRequest, status: str = "active", kind: str = "", limit: int = 100
) -> list[dict[str, Any]]:
    from cityloop.kernel.errors import DomainError

    if status not in STATUS_FILTERS or kind not in ["", *AlertKind.values]:
        raise DomainError("bad_filter", _("状态或类型不正确"))
    limit = max(1, min(limit, 500))
    found = selectors.alerts(Actor.from_user(request.user), status=status, kind=kind, limit=limit)
    return [alert_out(alert) for alert in found]


@router.get(
    "/alerts/{alert_id}", response={200: AlertDetailOut, **ERRORS}, summary="预警详情与相关诉求"
)
def get_alert(request: HttpRequest, alert_id: int) -> dict[str, Any]:
    detail = selectors.alert_detail(alert_id, Actor.from_user(request.user))
    return {
        **alert_out(detail.alert),
        "appeals": [appeal.tracking_code for appeal in detail.appeals],
        "appeals_total": detail.appeals_total,
        "actions": [
            {
                "action": action.action,
                "from_status": action.from_status,
                "to_status": action.to_status,
                "actor": action.actor.get_username(),
                "at": action.at,
                "reason": action.reason,
            }
            for action in detail.actions
        ],
    }


@router.post(
    "/alerts/{alert_id}/acknowledge", response={200: AlertOut, **ERRORS}, summary="确认预警"
)
def acknowledge(request: HttpRequest, alert_id: int, payload: AcknowledgeIn) -> dict[str, Any]:
    actor = Actor.from_user(request.user)
    return alert_out(services.acknowledge(alert_id, actor=actor, reason=payload.reason))


@router.post(
    "/alerts/{alert_id}/dismiss",
    response={200: AlertOut, **ERRORS},
    summary="排除预警（须说明理由）",
)
def dismiss(request: HttpRequest, alert_id: int, payload: DismissIn) -> dict[str, Any]:
    actor = Actor.from_user(request.user)
    return alert_out(services.dismiss(alert_id, actor=actor, reason=payload.reason))


@router.post(
    "/warning-runs", response={202: RunQueuedOut, **ERRORS}, summary="立即运行预警检测（排队）"
)
def request_run(request: HttpRequest) -> Status[Any]:
    check_may_act(Actor.from_user(request.user))
    return Status(202, {"task": jobs.request_run()})
