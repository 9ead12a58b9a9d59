"""Supervisor board: due soon, overdue, extension requests to decide, supervision orders
(督办单) open, and repeat appeals."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from cityloop.access.actors import Actor
from cityloop.kernel import clock
from cityloop.kernel.errors import DomainError
from cityloop.oversight.selectors import supervision_board
from cityloop.oversight.services import decide_extension
from cityloop.web.access import SUPERVISING, staff_page
from cityloop.web.redirects import redirect_back


@staff_page(SUPERVISING)
def board(request: HttpRequest, actor: Actor) -> HttpResponse:
    now = clock.now()
    return render(request, "web/board.html", {"now": now, **supervision_board(actor, now)})


@staff_page(SUPERVISING)
def decide(request: HttpRequest, actor: Actor, request_id: int) -> HttpResponse:
    if request.method == "POST":
        approve = request.POST.get("decision") == "approve"
        try:
            decided = decide_extension(
                request_id, actor=actor, approve=approve, note=request.POST.get("note", "")
            )
        except DomainError as error:
            if error.status in (403, 404):  # not this supervisor's appeal, or no such request
                context = {"error": error.message}
                return render(request, "web/error.html", context, status=error.status)
            messages.error(request, str(error.message))
        else:
            messages.success(
                request,
                _("%(code)s 的延期申请：%(status)s")
                % {"code": decided.appeal.tracking_code, "status": decided.get_status_display()},
            )
    return redirect_back(request, "web:board")
