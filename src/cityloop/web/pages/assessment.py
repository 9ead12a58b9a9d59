"""Assessment (统一考核): the three rates and composite score per unit for a month, the
trend against previous months, the appeals behind each number, Excel and PDF export."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cityloop.appeals.actors import Actor
from cityloop.appeals.enums import Satisfaction
from cityloop.core import clock
from cityloop.core.errors import DomainError
from cityloop.evaluate.access import ASSESSING
from cityloop.evaluate.api import parse_month
from cityloop.evaluate.assessment import month_bounds, monthly_ranking
from cityloop.evaluate.export import ranking_pdf, ranking_xlsx
from cityloop.evaluate.models import AssessmentSettings, Callback
from cityloop.web.access import staff_page

MEASURES = {
    "all": Q(),
    "not_contacted": Q(contacted=False),
    "unresolved": Q(resolved=False),
    "dissatisfied": Q(satisfaction=Satisfaction.DISSATISFIED),
}


def _month(request: HttpRequest) -> date:
    return parse_month(request.GET.get("month") or clock.now().strftime("%Y-%m"))


def _previous(month: date, back: int) -> date:
    index = month.year * 12 + month.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def city_trend(month: date, months: int = 6) -> list[dict[str, object]]:
    """City-wide response, resolution and satisfaction rates of the months up to `month`."""
    basic_weight = float(AssessmentSettings.current().basically_satisfied_weight)
    trend = []
    for back in range(months - 1, -1, -1):
        first = _previous(month, back)
        start, end = month_bounds(first)
        totals = Callback.objects.filter(
            is_latest=True, is_valid=True, at__gte=start, at__lt=end
        ).aggregate(
            valid=Count("id"),
            contacted=Count("id", filter=Q(contacted=True)),
            resolved=Count("id", filter=Q(resolved=True)),
            satisfied=Count("id", filter=Q(satisfaction=Satisfaction.SATISFIED)),
            basically=Count("id", filter=Q(satisfaction=Satisfaction.BASICALLY_SATISFIED)),
        )
        valid = totals["valid"] or 0
        totals["satisfied"] += basic_weight * totals["basically"]
        trend.append(
            {
                "month": f"{first:%Y-%m}",
                "valid": valid,
                **{
                    key: round(totals[key] / valid, 4) if valid else None
                    for key in ("contacted", "resolved", "satisfied")
                },
            }
        )
    return trend


def _error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "web/error.html", {"error": error.message}, status=error.status)


@staff_page(ASSESSING)
def assessment(request: HttpRequest, actor: Actor) -> HttpResponse:
    try:
        month = _month(request)
    except DomainError as error:
        return _error(request, error)
    kind = request.GET.get("kind") or None
    ranking = monthly_ranking(month, unit_kind=kind)
    fmt = request.GET.get("format")
    if fmt in ("xlsx", "pdf"):
        body, content_type = (
            (
                ranking_xlsx(month, ranking),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            if fmt == "xlsx"
            else (ranking_pdf(month, ranking), "application/pdf")
        )
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="assessment-{month:%Y-%m}.{fmt}"'
        return response
    context = {"ranking": ranking, "month": month, "trend": city_trend(month), "kind": kind or ""}
    return render(request, "web/assessment.html", context)


@staff_page(ASSESSING)
def behind(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The callbacks (and their appeals) behind one unit's number."""
    try:
        month = _month(request)
    except DomainError as error:
        return _error(request, error)
    measure = request.GET.get("measure", "all")
    start, end = month_bounds(month)
    callbacks = (
        Callback.objects.filter(
            is_latest=True,
            is_valid=True,
            at__gte=start,
            at__lt=end,
            unit__code=request.GET.get("unit", ""),
        )
        .filter(MEASURES.get(measure, Q()))
        .select_related("appeal", "unit")
        .order_by("-at")[:200]
    )
    return render(
        request,
        "web/assessment_behind.html",
        {
            "callbacks": callbacks,
            "month": month,
            "measure": measure,
            "unit": request.GET.get("unit", ""),
        },
    )
