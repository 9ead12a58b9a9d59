"""JSON log lines (CITYLOOP_LOG_FORMAT=json): one object per line, for journald or a log
shipper. The request's log line adds its fields under `http` (see middleware.py)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from cityloop.ops.request_context import route_of


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        fields = getattr(record, "http", None)
        if isinstance(fields, dict):
            line.update(fields)
        else:
            line["message"] = record.getMessage()
            request_id = getattr(record, "request_id", "")
            if request_id:
                line["request_id"] = request_id
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class RouteNotPath(logging.Filter):
    """Django's own lines about refused and failed requests ("Not Found: /track/…",
    "Internal Server Error: /appeals/…") name the raw path, which may hold a tracking code:
    they name the route pattern instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        if isinstance(path, str) and isinstance(record.args, tuple):
            # Django writes the path as it is or escaped (django.utils.log.log_response)
            forms = {path, path.encode("unicode_escape").decode("ascii")}
            route = route_of(request)  # type: ignore[arg-type]
            record.args = tuple(route if arg in forms else arg for arg in record.args)
        return True
