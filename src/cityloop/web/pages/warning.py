"""The early-warning board (预警看板): the map with the alerts' places, the timeline of alerts
per day and kind, the list, and one alert's evidence and appeals with what a supervisor may
do with it. Reads come from warning.selectors, decisions go to warning.services."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityloop.access.actors import Actor
from cityloop.geo.services import district_map
from cityloop.kernel import clock
from cityloop.kernel.errors import DomainError
from cityloop.proactive.services import respond_to_alert
from cityloop.warning import jobs, selectors, services
from cityloop.warning.access import ACTING, WATCHING
from cityloop.warning.models import AlertKind, AlertStatus
from cityloop.web.access import staff_page

STATUS_TABS = [
    ("active", _("待处理与已确认")),
    (AlertStatus.DISMISSED, AlertStatus.DISMISSED.label),
    (AlertStatus.RESPONDED, AlertStatus.RESPONDED.label),
    ("", _("全部")),
]


@staff_page(WATCHING)
def board(request: HttpRequest, actor: Actor) -> HttpResponse:
    status = request.GET.get("status", "active")
    kind = request.GET.get("kind", "")
    if status not in dict(STATUS_TABS) or kind not in ["", *AlertKind.values]:
        status, kind = "active", ""
    shown = list(selectors.alerts(actor, status=status, kind=kind))
    context = {
        "alerts": shown,
        "status": status,
        "kind": kind,
        "status_tabs": STATUS_TABS,
        "kinds": AlertKind.choices,
        "counts": selectors.status_counts(actor),
        "timeline": selectors.timeline(actor, until=clock.today()),
        "places": selectors.alert_places(shown),
        "run": selectors.latest_run(),
        "may_act": actor.role in ACTING,
        "districts": district_map(),
        "tile_url": settings.CITYLOOP_TILE_URL,
    }
    return render(request, "web/warning.html", context)


@staff_page(WATCHING)
def alert(request: HttpRequest, actor: Actor, alert_id: int) -> HttpResponse:
    try:
        detail = selectors.alert_detail(alert_id, actor)
    except DomainError as error:
        return render(request, "web/error.html", {"error": error.message}, status=error.status)
    context = {"d": detail, "may_act": actor.role in ACTING}
    return render(request, "web/warning_alert.html", context)


@require_POST
@staff_page(ACTING)
def act(request: HttpRequest, actor: Actor, alert_id: int, action: str) -> HttpResponse:
    reason = request.POST.get("reason", "")
    try:
        if action == "acknowledge":
            changed = services.acknowledge(alert_id, actor=actor, reason=reason)
        elif action == "dismiss":
            changed = services.dismiss(alert_id, actor=actor, reason=reason)
        elif action == "respond":
            alert = selectors.alert_for(actor, alert_id)
            proposal = respond_to_alert(alert, actor=actor, note=reason)
            assert proposal.appeal is not None
            messages.success(
                request,
                _("已转为主动治理工单 %(code)s，派至%(unit)s")
                % {"code": proposal.appeal.tracking_code, "unit": proposal.unit or "—"},
            )
            return redirect(reverse("web:warning-alert", args=[alert_id]))
        else:
            return render(request, "web/error.html", {"error": _("未知的操作")}, status=404)
    except DomainError as error:
        if error.status in (403, 404):
            context = {"error": error.message}
            return render(request, "web/error.html", context, status=error.status)
        messages.error(request, error.message)
    else:
        messages.success(request, _("预警已%(status)s") % {"status": changed.get_status_display()})
    return redirect(reverse("web:warning-alert", args=[alert_id]))


@require_POST
@staff_page(ACTING)
def run_now(request: HttpRequest, actor: Actor) -> HttpResponse:
    jobs.request_run()
    messages.success(request, _("已排队，后台将在数秒内完成检测"))
    return redirect("web:warning")
