"""网格员巡查 on a phone: report what was found on patrol (handled on the spot or sent into
the loop), the grid's open appeals, and the worker's own reports."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cityloop.access.actors import Actor
from cityloop.geo.services import district_map
from cityloop.intake.patrol.selectors import grid_open_appeals, my_grid, patrol_history
from cityloop.intake.patrol.services import PatrolDraft, report_problem
from cityloop.kernel.errors import DomainError
from cityloop.web.access import PATROLLING, staff_page
from cityloop.web.forms import PatrolForm, show_domain_error


@staff_page(PATROLLING)
def patrol(request: HttpRequest, actor: Actor) -> HttpResponse:
    try:
        assignment = my_grid(actor)
    except DomainError as error:
        return render(request, "web/error.html", {"error": error.message}, status=error.status)
    form = PatrolForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        on_spot = data["way"] == "on_spot"
        try:
            report = report_problem(
                PatrolDraft(
                    text=data["text"],
                    lat=data["lat"],
                    lng=data["lng"],
                    location_source=data["location_source"] or "device",
                    accuracy_m=data["accuracy_m"],
                    handled_on_spot=on_spot,
                    action_taken=data["action_taken"] if on_spot else "",
                    before=data["before"],
                    after=data["after"] if on_spot else [],
                ),
                actor=actor,
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            code = report.appeal.tracking_code
            done = (
                _("已记录自行处置并办结，工单号 %(code)s。")
                if on_spot
                else _("已上报，工单号 %(code)s，已进入派单流程。")
            )
            messages.success(request, done % {"code": code})
            return redirect("web:patrol")
    open_appeals, open_total = grid_open_appeals(actor)
    context = {
        "form": form,
        "grid": assignment.grid,
        "open_appeals": open_appeals,
        "open_total": open_total,
        "history": patrol_history(actor),
        "districts": district_map(),
        "tile_url": settings.CITYLOOP_TILE_URL,
    }
    return render(request, "web/patrol.html", context, status=400 if form.errors else 200)
