"""Dispatcher queue: appeals waiting for a unit (new, unsure, or sent back), each with the
unit the rules suggest and why (or why none can be suggested); the dispatcher sets the
category and the place, dispatches (the service follows from the appeal's status) and adds
co-handling units."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cityloop.access.actors import Actor
from cityloop.dispatch.selectors import queue_rows, unit_choices, waiting_appeals
from cityloop.dispatch.services import send_to_unit
from cityloop.intake.placing import categorize_and_locate
from cityloop.intake.selectors import second_opinions
from cityloop.kernel.errors import DomainError
from cityloop.web.access import DISPATCHING, staff_page
from cityloop.web.redirects import redirect_back


@staff_page(DISPATCHING)
def queue(request: HttpRequest, actor: Actor) -> HttpResponse:
    page = Paginator(waiting_appeals(), 25).get_page(request.GET.get("page"))
    opinions = second_opinions(page)
    rows = [(row, opinions.get(row.appeal.pk)) for row in queue_rows(page)]
    context = {"rows": rows, "page": page, "units": unit_choices()}
    return render(request, "web/queue.html", context)


@staff_page(DISPATCHING)
def send(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    if request.method != "POST":
        return redirect("web:queue")
    unit_code = request.POST.get("unit_code", "").strip()
    reason = request.POST.get("reason", "").strip()
    assists = [c.strip() for c in request.POST.getlist("assist_unit_codes") if c.strip()]
    try:
        send_to_unit(
            code, actor=actor, unit_code=unit_code, reason=reason, assist_unit_codes=assists
        )
    except DomainError as error:
        messages.error(request, f"{code}：{error.message}")
    else:
        messages.success(request, _("%(code)s 已派出") % {"code": code})
    return redirect_back(request, "web:queue")


def _coordinate(value: str, name: str) -> float | None:
    if not value.strip():
        return None
    try:
        return float(value)
    except ValueError:
        raise DomainError(
            "invalid_location", _("%(name)s须为数字") % {"name": name}, field="place"
        ) from None


@staff_page(DISPATCHING)
def place(request: HttpRequest, actor: Actor, code: str) -> HttpResponse:
    """定类定位: the dispatcher sets the category and/or the place of a waiting appeal."""
    if request.method != "POST":
        return redirect("web:queue")
    category_code = request.POST.get("category_code", "").strip()
    place_code = request.POST.get("place_code", "").strip()
    try:
        lat = _coordinate(request.POST.get("lat", ""), _("纬度"))
        lng = _coordinate(request.POST.get("lng", ""), _("经度"))
        categorize_and_locate(
            code,
            actor=actor,
            category_code=category_code,
            place_code=place_code,
            lat=lat,
            lng=lng,
        )
    except DomainError as error:
        messages.error(request, f"{code}：{error.message}")
    else:
        messages.success(request, _("%(code)s 的分类和位置已更新") % {"code": code})
    return redirect_back(request, "web:queue")
