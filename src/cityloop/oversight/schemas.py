"""The shapes of oversight's API: what its routes take and give."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from cityloop.kernel.api_schema import InSchema


class ResponseIn(InSchema):
    response: str = Field(..., max_length=2000, title="督办反馈")


class ExtensionOut(Schema):
    id: int
    status: str
    extra_working_days: int
    reason: str
    old_due_at: datetime | None
    new_due_at: datetime | None


class SupervisionOut(Schema):
    id: int
    status: str
    requirement: str
    respond_by: datetime
    response: str
