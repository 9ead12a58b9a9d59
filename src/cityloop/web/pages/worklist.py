"""Unit worklist: a department or street office sees only its own appeals, the nearest
deadline first, overdue ones in red."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from cityloop.access.actors import Actor
from cityloop.appeals.enums import HELD_BY_UNIT_STATUSES, Status
from cityloop.appeals.worklists import unit_appeals
from cityloop.kernel import clock
from cityloop.web.access import HANDLING, staff_page

VIEWS = {
    "all": (_("全部在办"), HELD_BY_UNIT_STATUSES),
    "to_sign": (_("待签收"), [Status.DISPATCHED]),
    "handling": (_("办理中"), [Status.SIGNED, Status.IN_PROGRESS]),
    "deferred": (_("挂账"), [Status.DEFERRED]),
    "replied": (_("已办结待评价"), [Status.REPLIED]),
}


@staff_page(HANDLING)
def worklist(request: HttpRequest, actor: Actor) -> HttpResponse:
    view = request.GET.get("view", "all")
    if view not in VIEWS:
        view = "all"
    page = Paginator(unit_appeals(actor, VIEWS[view][1]), 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "view": view,
        "views": [(key, label) for key, (label, _statuses) in VIEWS.items()],
        "now": clock.now(),
        "unit": actor.unit,
    }
    return render(request, "web/worklist.html", context)
