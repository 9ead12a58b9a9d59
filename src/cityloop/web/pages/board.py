"""Supervisor board: due soon, overdue, extension requests to decide, supervision orders
(督办单) open, and repeat appeals."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cityloop.appeals.actors import Actor
from cityloop.appeals.deadlines import overdue_q
from cityloop.appeals.enums import HANDLING_STATUSES, DecisionStatus, Status, SupervisionStatus
from cityloop.appeals.models import Appeal, ExtensionRequest, SupervisionOrder
from cityloop.appeals.services import decide_extension
from cityloop.core import clock
from cityloop.core.errors import DomainError
from cityloop.web.access import SUPERVISING, staff_page
from cityloop.web.pages.worklist import unit_appeals


@staff_page(SUPERVISING)
def board(request: HttpRequest, actor: Actor) -> HttpResponse:
    now = clock.now()
    handling = unit_appeals(actor, HANDLING_STATUSES).select_related("main_unit", "category")
    overdue = handling.filter(overdue_q(now))
    unit_ids = actor.visible_unit_ids()
    extensions = ExtensionRequest.objects.filter(status=DecisionStatus.PENDING)
    orders = SupervisionOrder.objects.filter(status=SupervisionStatus.OPEN)
    if unit_ids is not None:
        extensions = extensions.filter(unit_id__in=unit_ids)
        orders = orders.filter(unit_id__in=unit_ids)
    repeat_phones = (
        Appeal.objects.filter(received_at__gte=now - timedelta(days=30))
        .exclude(caller_phone="")
        .values("caller_phone")
        .annotate(n=Count("id"))
        .filter(n__gte=3)
        .order_by("-n")[:15]
    )
    context = {
        "now": now,
        "due_soon": handling.filter(
            reply_due_at__gte=now, reply_due_at__lt=now + timedelta(hours=24)
        ).order_by("reply_due_at")[:30],
        "overdue": overdue.order_by("reply_due_at")[:30],
        "overdue_count": overdue.count(),
        "extensions": extensions.select_related("appeal", "unit").order_by("requested_at")[:30],
        "orders": orders.select_related("appeal", "unit").order_by("respond_by")[:30],
        "repeat_callers": list(repeat_phones),
        # replies the reply check found weak (答复质量): the supervisor looks before the callback
        "weak_replies": unit_appeals(actor, [Status.REPLIED])
        .filter(reply_flagged=True)
        .select_related("main_unit")
        .order_by("-replied_at")[:30],
    }
    return render(request, "web/board.html", context)


@staff_page(SUPERVISING)
def decide(request: HttpRequest, actor: Actor, request_id: int) -> HttpResponse:
    if request.method == "POST":
        approve = request.POST.get("decision") == "approve"
        try:
            decided = decide_extension(
                request_id, actor=actor, approve=approve, note=request.POST.get("note", "")
            )
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(
                request,
                _("%(code)s 的延期申请：%(status)s")
                % {"code": decided.appeal.tracking_code, "status": decided.get_status_display()},
            )
    return redirect(request.POST.get("next") or "web:board")
