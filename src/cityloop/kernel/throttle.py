"""Throttles against guessing and flooding.

A throttle is a name in settings.CITYLOOP_THROTTLES with one or more rates; it counts
attempts per key (a client address, a tracking code, a user) with django-ratelimit in the
shared database cache, so every gunicorn worker and server sees the same counts. Login
lockout per user name and address is django-axes' job (settings AXES_*); this module adds
the limits axes does not cover.

Two ways to count:
- spend(): every attempt counts and the one over the limit is refused — for attempts whose
  success cannot be known up front (an evaluation's phone digits, a report), or, called
  after a failure, for failures refused as they come (a wrong API token);
- check() before and count() after a failure — when only failures matter but the next
  attempt must be refused before it is tried (a tracking code that does not exist, a wrong
  password), so a citizen looking up their own appeal or a call-taker logging in is never
  slowed down.

A refusal raises TooManyRequests (HTTP 429, code too_many_requests, a message in the user's
language) and logs a WARNING naming the throttle, the key, the address and the path."""

from __future__ import annotations

import ipaddress
import logging
import math

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage

from cityloop.kernel.errors import TooManyRequests

log = logging.getLogger("cityloop.throttle")

MESSAGES: dict[str, Promise] = {
    "evaluation_per_appeal": _(
        "该诉求的评价验证失败次数过多，已暂时锁定。请 %(minutes)d 分钟后再试，"
        "或拨打 12345 由话务员为您登记评价。"
    ),
    "evaluation_per_ip": _("评价提交过于频繁，请 %(minutes)d 分钟后再试。"),
    "report_per_ip": _("提交过于频繁，请 %(minutes)d 分钟后再试；情况紧急请直接拨打 12345。"),
    "track_miss_per_ip": _("查询码输错次数过多，请 %(minutes)d 分钟后再试。"),
    "login_failure_per_ip": _("登录失败次数过多，请 %(minutes)d 分钟后再试。"),
    "token_failure_per_ip": _("API 令牌验证失败次数过多，请 %(minutes)d 分钟后再试。"),
    "caller_lookup_per_user": _("来电人历史查询过于频繁，请 %(minutes)d 分钟后再试。"),
}


def client_ip(request: HttpRequest) -> str:
    """The caller's address: the META key a trusted proxy sets (CITYLOOP_CLIENT_IP_META;
    the last entry if it is a list), else REMOTE_ADDR. Used by the throttles and axes."""
    remote = request.META.get("REMOTE_ADDR") or "0.0.0.0"
    given = str(request.META.get(settings.CITYLOOP_CLIENT_IP_META) or "")
    candidate = given.split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def spend(request: HttpRequest, name: str, key: str) -> None:
    """Count this attempt; refuse it if it goes over any rate of the throttle."""
    _enforce(request, name, key, increment=True, refuse_at_limit=False)


def check(request: HttpRequest, name: str, key: str) -> None:
    """Refuse if the counted failures already reach a rate of the throttle."""
    _enforce(request, name, key, increment=False, refuse_at_limit=True)


def count(request: HttpRequest, name: str, key: str) -> None:
    """Count one failure (refused or not, the next check() decides)."""
    for rate in settings.CITYLOOP_THROTTLES[name]:
        _usage(request, name, key, rate, increment=True)


def _usage(request: HttpRequest, name: str, key: str, rate: str, *, increment: bool) -> dict:
    usage = get_usage(
        request,
        group=f"cityloop.{name}",
        key=lambda _group, _request: key,
        rate=rate,
        increment=increment,
    )
    return usage or {"count": 0, "limit": 1, "should_limit": False, "time_left": 0}


def _enforce(
    request: HttpRequest, name: str, key: str, *, increment: bool, refuse_at_limit: bool
) -> None:
    for rate in settings.CITYLOOP_THROTTLES[name]:
        usage = _usage(request, name, key, rate, increment=increment)
        over = usage["count"] >= usage["limit"] if refuse_at_limit else usage["should_limit"]
        if over:
            log.warning(
                "throttle %s refused key=%s ip=%s rate=%s count=%s path=%s",
                name,
                key,
                client_ip(request),
                rate,
                usage["count"],
                request.path,
            )
            seconds = max(int(usage["time_left"]), 1)
            raise TooManyRequests(
                MESSAGES[name], retry_after=seconds, minutes=math.ceil(seconds / 60)
            )
