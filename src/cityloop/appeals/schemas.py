"""API shapes, kept apart from the database models. Input texts stored in a column take
their limit and their Chinese title from it (core.api_schema.text)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema

from cityloop.kernel.api_schema import ErrorOut, InSchema, OutSchema

__all__ = ["ErrorOut"]


class VersionIn(InSchema):
    expected_version: int | None = Field(None, ge=1, le=2**31 - 1, title="版本号")


class ReasonIn(VersionIn):
    reason: str = Field(..., max_length=2000, title="理由")


class DecisionIn(InSchema):
    approve: bool = Field(..., title="是否同意")
    note: str = Field("", max_length=1000, title="审批意见")


class UnitRef(OutSchema):
    code: str
    name: str


class AssignmentOut(OutSchema):
    unit: UnitRef
    role: str
    status: str
    assigned_at: datetime
    signed_at: datetime | None
    replied_at: datetime | None
    note: str


class AppealOut(OutSchema):
    tracking_code: str
    version: int
    channel: str
    status: str
    status_label: str
    appeal_type: str
    appeal_type_label: str
    outcome: str
    outcome_label: str
    reply_flagged: bool
    title: str
    content: str
    caller_name: str
    caller_phone: str
    address_text: str
    lat: float | None
    lng: float | None
    grid: str | None
    street: str | None
    district: str | None
    category_code: str | None
    category: str | None
    urgency: str
    is_complex: bool
    main_unit: UnitRef | None
    dispatch_reason: str
    received_at: datetime
    dispatched_at: datetime | None
    sign_due_at: datetime | None
    signed_at: datetime | None
    reply_due_at: datetime | None
    replied_at: datetime | None
    reply_text: str
    overdue: bool
    deferred_until: date | None
    merged_into: str | None
    assignments: list[AssignmentOut]


class NoticeOut(OutSchema):
    """A message the step sent the citizen (notify), and what became of it."""

    kind: str
    kind_label: str
    channel: str
    channel_label: str
    to: str
    status: str
    status_label: str
    attempts: int
    queued_at: datetime
    last_attempt_at: datetime | None
    sent_at: datetime | None
    next_attempt_at: datetime | None
    note: str


class EventOut(OutSchema):
    seq: int
    action: str
    action_label: str
    at: datetime
    actor: str
    from_status: str
    to_status: str
    reason: str
    changes: dict[str, list[object]]
    notices: list[NoticeOut] = []


class PublicEventOut(Schema):
    at: datetime
    action_label: str
    status_label: str
    actor: str
    note: str


class PublicAppealOut(Schema):
    tracking_code: str
    status: str
    status_label: str
    appeal_type_label: str
    outcome: str
    outcome_label: str
    deferred_until: date | None
    rates_resolution: bool
    # what happens next, for the citizen (after a rating: back to the unit, or the outcome)
    next_step: str
    title: str
    content: str
    caller_name: str
    address: str
    category: str | None
    main_unit: str | None
    received_at: datetime
    reply_due_at: datetime | None
    replied_at: datetime | None
    reply_text: str
    can_evaluate: bool
    timeline: list[PublicEventOut]
