"""The request id of the request being served, for every log line written while it runs."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is kept only when it is short and plain: it is echoed in a header and written
# to the log, so it must not carry line breaks, markup or someone's data.
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

current_request_id: ContextVar[str] = ContextVar("cityloop_request_id", default="")


def request_id_from(given: str | None) -> str:
    """The proxy's or client's X-Request-ID when it is acceptable, else a fresh one."""
    if given and _ACCEPTED_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex
