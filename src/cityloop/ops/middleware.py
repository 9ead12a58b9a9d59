"""One log line and one metrics sample per request, taken by the outermost middleware.

The line names the route pattern (`track/<str:code>/`), never the path: a path holds
tracking codes, and the query string may hold a phone number. No body, no IP address, no
name: method, route, status, duration, user id, request id — nothing more."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

from cityloop.ops.metrics import observe_request
from cityloop.ops.request_context import (
    REQUEST_ID_HEADER,
    current_request_id,
    request_id_from,
    route_of,
    stamp_request_ids_on_log_records,
)

logger = logging.getLogger("cityloop.request")

# Any other method is counted as "other": a label's values must stay few.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_REQUEST_ID_META = "HTTP_" + REQUEST_ID_HEADER.upper().replace("-", "_")


def user_of(request: HttpRequest) -> str:
    """The user's id if this request already knew it. A view that never asked who is logged
    in is logged "anonymous": loading the session only for the log line would add a query
    to every request, the intake's included."""
    user = request.__dict__.get("user")
    wrapped = getattr(user, "_wrapped", user)  # Django's lazy user, or a token's real one
    if wrapped is None or wrapped is empty or not getattr(wrapped, "is_authenticated", False):
        return "anonymous"
    return str(wrapped.pk)


class RequestObservationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        stamp_request_ids_on_log_records()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request_id = request_id_from(request.META.get(_REQUEST_ID_META))
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            self._observe(request, response.status_code, time.perf_counter() - started)
            return response
        finally:
            current_request_id.reset(token)

    @staticmethod
    def _observe(request: HttpRequest, status: int, seconds: float) -> None:
        method = request.method if request.method in _METHODS else "other"
        route = route_of(request)
        observe_request(route, str(method), f"{status // 100}xx", seconds)
        if logger.isEnabledFor(logging.INFO):
            fields = {
                "event": "request",
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
                "user": user_of(request),
                "request_id": current_request_id.get(),
            }
            logger.info(
                "%(method)s %(route)s %(status)s %(duration_ms)sms user=%(user)s id=%(request_id)s",
                fields,
                extra={"http": fields},
            )
