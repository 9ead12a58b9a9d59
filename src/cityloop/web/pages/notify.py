"""The opt-out page a message links to: the citizen confirms, and nothing more is sent to
that number or address. Public (no login): the link's signature is the credential."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cityloop.kernel.errors import DomainError
from cityloop.notify.services import stop_by_token, stop_preview


def stop(request: HttpRequest, token: str) -> HttpResponse:
    confirm = request.method == "POST"
    try:
        stopped = stop_by_token(token) if confirm else stop_preview(token)
    except DomainError as error:
        return render(request, "web/error.html", {"error": error.message}, status=error.status)
    return render(request, "web/notify_stop.html", {"stopped": stopped, "done": confirm})
