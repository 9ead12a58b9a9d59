"""Thin pages: read through selectors, write through services, render."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cityloop.appeals import selectors
from cityloop.appeals.actors import Actor
from cityloop.appeals.enums import Satisfaction, Status
from cityloop.appeals.public_api import evaluate_as_citizen, find_by_code
from cityloop.appeals.schemas import CitizenEvaluationIn
from cityloop.core import clock
from cityloop.core.errors import DomainError
from cityloop.evaluate.assessment import monthly_ranking
from cityloop.geo.models import AreaLevel
from cityloop.web.access import ANY_STAFF, staff_page
from cityloop.web.dashboard import areas_geojson as geojson_of
from cityloop.web.dashboard import figures as dashboard_figures


def home(request: HttpRequest) -> HttpResponse:
    """The centre at a glance: today's intake, the open work, the month's leaders."""
    today_start = timezone.localtime(clock.now()).replace(hour=0, minute=0, second=0, microsecond=0)
    appeals = selectors.Appeal.objects
    by_status = dict(
        appeals.filter(status__in=list(selectors.HANDLING_OR_WAITING))
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    context = {
        "today": appeals.filter(received_at__gte=today_start).count(),
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
        "ranking": monthly_ranking(clock.now().date().replace(day=1))[:10],
        "month": clock.now().date(),
    }
    return render(request, "web/home.html", context)


def track_lookup(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("code", "").strip().upper()
    if code:
        return redirect("web:track-detail", code=code)
    return render(request, "web/track.html", {})


def track_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        appeal = find_by_code(code)
    except DomainError as error:
        return render(request, "web/track.html", {"error": error.message, "code": code}, status=404)
    form_error, form_data = "", request.POST
    if request.method == "POST":
        try:
            payload = CitizenEvaluationIn(
                phone_last4=form_data.get("phone_last4", ""),
                contacted=form_data.get("contacted") == "yes",
                resolved=form_data.get("resolved") == "yes",
                satisfaction=form_data.get("satisfaction", ""),
                comment=form_data.get("comment", ""),
            )
            evaluate_as_citizen(code, payload)
            return redirect("web:track-detail", code=appeal.tracking_code)
        except DomainError as error:
            form_error = error.message
        except ValueError:
            form_error = _("请填写手机号后四位")
    context = {
        "view": selectors.public_view(appeal),
        "satisfaction_choices": Satisfaction.choices,
        "form_error": form_error,
        "form_data": form_data,
    }
    return render(request, "web/track_detail.html", context, status=400 if form_error else 200)


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
