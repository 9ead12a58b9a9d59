"""GET /metrics: for the scraper only — from this machine, or with the metrics token.

Behind nginx every request comes from 127.0.0.1, so "this machine" is judged on the client's
address as the proxy reports it (kernel.throttle.client_ip, CITYLOOP_CLIENT_IP_META), and
the nginx site refuses /metrics from outside the internal network as well."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST

from cityloop.kernel.throttle import client_ip
from cityloop.ops.metrics import exposition


def _from_loopback(request: HttpRequest) -> bool:
    try:
        return ipaddress.ip_address(client_ip(request)).is_loopback
    except ValueError:
        return False


def _has_token(request: HttpRequest) -> bool:
    expected = settings.CITYLOOP_METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    scheme, _, token = given.partition(" ")
    return (
        bool(expected)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(token.strip().encode(), expected.encode())
    )


@csrf_exempt
@require_safe
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not (_from_loopback(request) or _has_token(request)):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
