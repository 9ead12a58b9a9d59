"""Thin pages: read through selectors, write through services, render."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from cityloop.access.actors import Actor
from cityloop.appeals.worklists import overview, received_today
from cityloop.assessment.access import may_assess
from cityloop.assessment.dashboard import figures as dashboard_figures
from cityloop.assessment.rates import monthly_ranking
from cityloop.geo.models import AreaLevel
from cityloop.geo.services import areas_geojson as geojson_of
from cityloop.geo.services import district_map, place_names
from cityloop.kernel import clock
from cityloop.web.access import ANY_STAFF, actor_of, home_of, landing_label, staff_page


def home(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors: a public landing page (report, track, today's intake for the
    city; no unit figures). Staff: a way to the page of their daily work (the landing rule
    login uses), the appeals they may see, and the month's ranking for the roles that may
    see the assessment."""
    now = clock.now()
    actor = actor_of(request) if request.user.is_authenticated else None
    if actor is None:
        return render(request, "web/home.html", {"public": True, "today": received_today()})
    month = clock.this_month()
    context = {
        **overview(actor, now),
        "ranking": monthly_ranking(month) if may_assess(actor) else None,
        "month": month,
        "landing": home_of(actor),
        "landing_label": landing_label(actor),
    }
    return render(request, "web/home.html", context)


@staff_page(ANY_STAFF)
def dashboard(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(
        request,
        "web/dashboard.html",
        {
            "f": dashboard_figures(),
            "districts": district_map(),
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


def place_name(request: HttpRequest) -> JsonResponse:
    """The district, street and grid of a point picked on a map, so the map can name the
    place instead of showing its coordinates."""
    try:
        lat, lng = float(request.GET["lat"]), float(request.GET["lng"])
    except (KeyError, ValueError):
        return JsonResponse(
            {"code": "invalid_point", "message": _("请给出数字形式的纬度 lat 和经度 lng")},
            status=400,
        )
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        message = _("纬度应在 -90 到 90 之间，经度在 -180 到 180 之间")
        return JsonResponse({"code": "invalid_point", "message": message}, status=400)
    names = place_names(lat, lng)
    if names is None:
        return JsonResponse({"found": False, "message": _("该位置不在本市的网格内")})
    return JsonResponse({"found": True, **names})
