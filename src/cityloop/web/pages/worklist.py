"""Unit worklist: a department or street office sees only its own appeals, the nearest
deadline first, overdue ones in red."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cityloop.access.actors import Actor
from cityloop.appeals.worklists import WORKLIST_TABS, unit_appeals
from cityloop.kernel import clock
from cityloop.web.access import HANDLING, staff_page


@staff_page(HANDLING)
def worklist(request: HttpRequest, actor: Actor) -> HttpResponse:
    view = request.GET.get("view", "all")
    if view not in WORKLIST_TABS:
        view = "all"
    statuses = WORKLIST_TABS[view][1]
    page = Paginator(unit_appeals(actor, statuses), 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "view": view,
        "views": [(key, label) for key, (label, _statuses) in WORKLIST_TABS.items()],
        "now": clock.now(),
        "unit": actor.unit,
    }
    return render(request, "web/worklist.html", context)
