"""Assessment (统一考核): the three rates and composite score per unit for a month, the
trend against previous months, the appeals behind each number, Excel and PDF export.
Every figure comes from assessment.rates; this page only renders it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cityloop.access.actors import Actor
from cityloop.assessment.access import ASSESSING
from cityloop.assessment.export import city_line, ranking_pdf, ranking_xlsx
from cityloop.assessment.proactive_share import city_proactive_share, proactive_share_by_unit
from cityloop.assessment.rates import (
    city_outcomes,
    city_trend,
    drill_down,
    month_or_current,
    monthly_ranking,
)
from cityloop.kernel.errors import DomainError
from cityloop.web.access import staff_page

EXPORTS = {
    "xlsx": (ranking_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": (ranking_pdf, "application/pdf"),
}


def _error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "web/error.html", {"error": error.message}, status=error.status)


@staff_page(ASSESSING)
def assessment(request: HttpRequest, actor: Actor) -> HttpResponse:
    try:
        month = month_or_current(request.GET.get("month"))
    except DomainError as error:
        return _error(request, error)
    kind = request.GET.get("kind") or None
    ranking = monthly_ranking(month, unit_kind=kind)
    outcomes = city_outcomes(month)
    fmt = request.GET.get("format", "")
    if fmt in EXPORTS:
        write, content_type = EXPORTS[fmt]
        response = HttpResponse(write(ranking, outcomes), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="assessment-{month:%Y-%m}.{fmt}"'
        return response
    context = {
        "ranking": ranking,
        "month": month,
        "trend": city_trend(month),
        "kind": kind or "",
        "outcomes": city_line(outcomes),
        "proactive_city": city_proactive_share(month),
        "proactive_units": proactive_share_by_unit(month)[:20],
    }
    return render(request, "web/assessment.html", context)


@staff_page(ASSESSING)
def behind(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The callbacks (and their appeals) behind one unit's number."""
    try:
        month = month_or_current(request.GET.get("month"))
        found = drill_down(
            month, request.GET.get("unit", ""), request.GET.get("measure", "all"), actor
        )
    except DomainError as error:
        return _error(request, error)
    return render(
        request,
        "web/assessment_behind.html",
        {"drill": found, "callbacks": found.callbacks[:200], "month": month},
    )
