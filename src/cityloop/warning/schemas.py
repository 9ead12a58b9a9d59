"""Alerts over the API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from cityloop.kernel.api_schema import InSchema


class AlertOut(Schema):
    id: int
    kind: str
    kind_label: str
    method: str
    status: str
    status_label: str
    area: str
    area_code: str | None
    category: str
    topic: str
    window_start: date
    window_end: date
    observed: float
    expected: float
    statistic: float
    threshold: float | None
    p_value: float | None
    evidence: dict[str, Any]
    first_found_at: datetime
    last_found_at: datetime
    response_appeal: str | None


class AlertActionOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor: str
    at: datetime
    reason: str


class AlertDetailOut(AlertOut):
    appeals: list[str]
    appeals_total: int
    actions: list[AlertActionOut]


class AcknowledgeIn(InSchema):
    reason: str = Field("", max_length=2000, title="说明")


class DismissIn(InSchema):
    reason: str = Field(..., min_length=1, max_length=2000, title="排除理由")


class RunQueuedOut(Schema):
    task: str
