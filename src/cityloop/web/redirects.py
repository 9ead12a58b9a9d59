"""Where a page sends the browser back to: a `next` the form carried, only if it points
inside this site (never https://evil.example/, //evil.example, /\\evil.example or
javascript:…), else the page's own default."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` of the POST (or GET) if it stays on this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def redirect_back(request: HttpRequest, default_view: str) -> HttpResponse:
    """Redirect to a safe `next`, else to the named view."""
    return redirect(safe_next(request, "") or default_view)
