"""Thin pages: read through selectors, write through services, render."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from cityloop.appeals import selectors
from cityloop.appeals.actors import Actor
from cityloop.appeals.enums import Status
from cityloop.core import clock
from cityloop.evaluate.assessment import monthly_ranking
from cityloop.geo.models import AreaLevel
from cityloop.web.access import ANY_STAFF, staff_page
from cityloop.web.dashboard import areas_geojson as geojson_of
from cityloop.web.dashboard import figures as dashboard_figures


def home(request: HttpRequest) -> HttpResponse:
    """The centre at a glance: today's intake, the open work, the month's leaders."""
    month = clock.this_month()
    appeals = selectors.Appeal.objects
    by_status = dict(
        appeals.filter(status__in=list(selectors.HANDLING_OR_WAITING))
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    context = {
        "today": appeals.filter(received_at__gte=clock.today_start()).count(),
        "open_by_status": [
            (Status(s).label, by_status.get(s, 0)) for s in selectors.HANDLING_OR_WAITING
        ],
        "overdue": appeals.filter(
            status__in=[Status.DISPATCHED, Status.SIGNED, Status.IN_PROGRESS],
            reply_due_at__lt=clock.now(),
        ).count(),
        "recent": appeals.select_related("main_unit", "category").order_by("-received_at")[:12]
        if request.user.is_authenticated
        else [],
        "ranking": monthly_ranking(month)[:10],
        "month": month,
    }
    return render(request, "web/home.html", context)


@staff_page(ANY_STAFF)
def dashboard(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(
        request,
        "web/dashboard.html",
        {
            "f": dashboard_figures(),
            "tile_url": settings.CITYLOOP_TILE_URL,
        },
    )


@staff_page(ANY_STAFF)
def dashboard_data(request: HttpRequest, actor: Actor) -> HttpResponse:
    return JsonResponse(dashboard_figures())


def areas_geojson(request: HttpRequest) -> JsonResponse:
    level = request.GET.get("level", AreaLevel.DISTRICT)
    if level not in AreaLevel.values:
        return JsonResponse({"code": "invalid_level", "message": _("未知的区域层级")}, status=400)
    return JsonResponse(geojson_of(level, request.GET.get("within") or None))
