"""Unit worklist: a department or street office sees only its own appeals, the nearest
deadline first, overdue ones in red."""

from __future__ import annotations

from collections.abc import Collection

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from cityloop.appeals.actors import Actor
from cityloop.appeals.enums import HELD_BY_UNIT_STATUSES, AssignmentStatus, Status
from cityloop.appeals.models import Appeal, AppealAssignment
from cityloop.core import clock
from cityloop.web.access import HANDLING, staff_page

VIEWS = {
    "all": (_("全部在办"), HELD_BY_UNIT_STATUSES),
    "to_sign": (_("待签收"), [Status.DISPATCHED]),
    "handling": (_("办理中"), [Status.SIGNED, Status.IN_PROGRESS]),
    "deferred": (_("挂账"), [Status.DEFERRED]),
    "replied": (_("已办结待评价"), [Status.REPLIED]),
}


def unit_appeals(actor: Actor, statuses: Collection[str]) -> QuerySet[Appeal]:
    """Appeals the actor's unit handles as main unit or assists on, in these statuses."""
    appeals = Appeal.objects.filter(status__in=statuses)
    unit_ids = actor.visible_unit_ids()
    if unit_ids is None:
        return appeals
    assisted = AppealAssignment.objects.filter(
        unit_id__in=unit_ids, status__in=[AssignmentStatus.PENDING, AssignmentStatus.SIGNED]
    ).values("appeal_id")
    return appeals.filter(Q(main_unit_id__in=unit_ids) | Q(pk__in=assisted))


@staff_page(HANDLING)
def worklist(request: HttpRequest, actor: Actor) -> HttpResponse:
    view = request.GET.get("view", "all")
    if view not in VIEWS:
        view = "all"
    appeals = (
        unit_appeals(actor, VIEWS[view][1])
        .select_related("category", "main_unit")
        .order_by("reply_due_at", "pk")
    )
    page = Paginator(appeals, 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "view": view,
        "views": [(key, label) for key, (label, _statuses) in VIEWS.items()],
        "now": clock.now(),
        "unit": actor.unit,
    }
    return render(request, "web/worklist.html", context)
