"""The request being served, as the logs may name it: its request id (stamped on every log
record made while it runs) and its route pattern (never its path)."""

from __future__ import annotations

import logging
import os
import re
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.http import HttpRequest

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is kept only when it is short and plain: it is echoed in a header and written
# to the log, so it must not carry line breaks, markup or someone's data.
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

current_request_id: ContextVar[str] = ContextVar("cityloop_request_id", default="")


def request_id_from(given: str | None) -> str:
    """The proxy's or client's X-Request-ID when it is acceptable, else a fresh one."""
    if given and _ACCEPTED_ID.fullmatch(given):
        return given
    return os.urandom(16).hex()  # as random as uuid4().hex, a quarter of its cost


UNMATCHED_ROUTE = "<unmatched>"
STATIC_ROUTE = "<static>"


def route_of(request: HttpRequest) -> str:
    """The URL pattern that answered (`track/<str:code>/`): a path may hold a tracking code."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.route:
        return str(match.route)
    if request.path_info.startswith(str(settings.STATIC_URL)):
        return STATIC_ROUTE  # answered by WhiteNoise before URL resolution
    return UNMATCHED_ROUTE


def stamp_request_ids_on_log_records() -> None:
    """Every log record made from now on carries `request_id` (empty outside a request), taken
    when the record is made — a handler that writes later, or a test's, still sees it."""
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "stamps_request_id", False):
        return

    def make_stamped_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        record.request_id = current_request_id.get()
        return record

    make_stamped_record.stamps_request_id = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make_stamped_record)
