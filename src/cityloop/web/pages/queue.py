"""Dispatcher queue: appeals waiting for a unit (new, unsure, or sent back), each with the
unit the rules suggest and why; dispatch, re-dispatch, add co-handling units."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cityloop.appeals.actors import Actor
from cityloop.appeals.enums import Status
from cityloop.appeals.models import Appeal, AppealEvent
from cityloop.appeals.services import dispatch, redispatch
from cityloop.core.errors import DomainError
from cityloop.dispatch.services import choose_unit
from cityloop.org.models import Unit
from cityloop.web.access import DISPATCHING, staff_page
from cityloop.web.redirects import redirect_back


@staff_page(DISPATCHING)
def queue(request: HttpRequest, actor: Actor) -> HttpResponse:
    waiting = (
        Appeal.objects.filter(status__in=[Status.RECEIVED, Status.SENT_BACK])
        .select_related("category", "grid", "street", "district")
        # "emergency" sorts before "normal": emergencies first, then the longest waiting
        .order_by("urgency", "received_at")
    )
    page = Paginator(waiting, 25).get_page(request.GET.get("page"))
    # the latest send-back reason of each sent-back appeal on the page, in one query
    send_back_reasons = dict(
        AppealEvent.objects.filter(
            appeal__in=[a for a in page if a.status == Status.SENT_BACK], action="send_back"
        )
        .order_by("appeal_id", "seq")
        .values_list("appeal_id", "reason")
    )
    rows = [
        {
            "appeal": appeal,
            "decision": choose_unit(appeal.category, appeal.grid) if appeal.category else None,
            "last_reason": send_back_reasons.get(appeal.pk, ""),
        }
        for appeal in page
    ]
    units = Unit.objects.filter(is_active=True).order_by("kind", "code").values_list("code", "name")
    return render(request, "web/queue.html", {"rows": rows, "page": page, "units": units})


@staff_page(DISPATCHING)
def send(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    if request.method != "POST":
        return redirect("web:queue")
    unit_code = request.POST.get("unit_code", "").strip()
    reason = request.POST.get("reason", "").strip()
    assists = [c for c in request.POST.getlist("assist_unit_codes") if c.strip()]
    try:
        appeal = Appeal.objects.get(tracking_code=code)
        if appeal.status == Status.SENT_BACK:
            redispatch(code, actor=actor, unit_code=unit_code, reason=reason)
        else:
            dispatch(
                code, actor=actor, unit_code=unit_code, reason=reason, assist_unit_codes=assists
            )
    except Appeal.DoesNotExist:
        messages.error(request, _("工单不存在：%(code)s") % {"code": code})
    except DomainError as error:
        messages.error(request, f"{code}：{error.message}")
    else:
        messages.success(request, _("%(code)s 已派出") % {"code": code})
    return redirect_back(request, "web:queue")
