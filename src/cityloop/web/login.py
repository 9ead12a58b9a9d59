"""Staff login (the site's form and the admin's) behind two locks.

django-axes locks one user name from one address after AXES_FAILURE_LIMIT wrong passwords
(its backend refuses before the password is checked; its middleware shows the lock page).
Axes cannot also cap one address over many user names (password spraying) with a different
number, so the throttle login_failure_per_ip does: failed logins are counted per address
(signal user_login_failed) and a login POST from an address over the limit gets the same
lock page."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from functools import wraps
from typing import Any

from axes.helpers import get_cool_off, get_failure_limit
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from cityloop.kernel import throttle
from cityloop.kernel.errors import TooManyRequests
from cityloop.web.access import actor_of, home_of
from cityloop.web.redirects import safe_next

LOCK_PAGE = "registration/locked.html"
log = logging.getLogger("cityloop.throttle")


def axes_locked_out(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """settings.AXES_LOCKOUT_CALLABLE: the lock page for a user name locked at an address."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    log.warning(
        "login locked by axes: username=%s ip=%s path=%s",
        username,
        throttle.client_ip(request),
        request.path,
    )
    cool_off = get_cool_off(request)
    message = _("连续 %(limit)d 次密码错误，该账号在此地址的登录已锁定 %(minutes)d 分钟。") % {
        "limit": get_failure_limit(request, credentials),
        "minutes": math.ceil(cool_off.total_seconds() / 60) if cool_off else 0,
    }
    return render(request, LOCK_PAGE, {"message": message}, status=429)


def limited_by_address(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "POST":
            try:
                throttle.check(request, "login_failure_per_ip", throttle.client_ip(request))
            except TooManyRequests as error:
                return render(request, LOCK_PAGE, {"message": error.message}, status=429)
        return view(request, *args, **kwargs)

    return wrapper


@receiver(user_login_failed, dispatch_uid="cityloop.count_failed_login")
def count_failed_login(sender: Any, credentials: Any, request: Any = None, **kwargs: Any) -> None:
    if request is not None:
        throttle.count(request, "login_failure_per_ip", throttle.client_ip(request))


class StaffLoginView(auth_views.LoginView):
    """After login: a safe `next` (the page that asked for the login), else the page of
    the role's daily work (web.access.LANDING)."""

    def get_success_url(self) -> str:
        actor = actor_of(self.request)
        landing = reverse(home_of(actor)) if actor is not None else reverse("web:home")
        return safe_next(self.request, landing)


staff_login = limited_by_address(StaffLoginView.as_view())
admin_login = limited_by_address(admin.site.login)
