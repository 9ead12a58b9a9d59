"""JSON log lines (CITYLOOP_LOG_FORMAT=json): one object per line, for journald or a log
shipper. The request's log line adds its fields under `http` (see middleware.py)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from cityloop.ops.request_context import current_request_id


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
            request_id = current_request_id.get()
            if request_id:
                line["request_id"] = request_id
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)
