"""API shapes, kept apart from the database models."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema

from cityloop.appeals.enums import Channel
from cityloop.sla.models import Urgency


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class AppealIn(Schema):
    channel: Channel = Channel.PHONE
    title: str = Field("", max_length=200)
    content: str = Field(..., max_length=5000)
    caller_name: str = Field("", max_length=50)
    caller_phone: str = Field("", max_length=30)
    caller_id_number: str = Field("", max_length=30)
    address_text: str = Field("", max_length=200)
    lat: float | None = None
    lng: float | None = None
    standard_address_code: str = ""
    category_code: str = ""
    urgency: Urgency = Urgency.NORMAL
    is_complex: bool = False
    auto_dispatch: bool = True
    assist_unit_codes: list[str] = []


class PublicAppealIn(Schema):
    title: str = Field("", max_length=200)
    content: str = Field(..., min_length=1, max_length=5000)
    caller_name: str = Field("", max_length=50)
    caller_phone: str = Field(..., min_length=5, max_length=30)
    address_text: str = Field("", max_length=200)
    lat: float | None = None
    lng: float | None = None


class VersionIn(Schema):
    expected_version: int | None = None


class DispatchIn(VersionIn):
    unit_code: str = ""
    category_code: str = ""
    assist_unit_codes: list[str] = []
    reason: str = Field("", max_length=300)


class RedispatchIn(VersionIn):
    unit_code: str
    reason: str = Field(..., max_length=300)


class ReasonIn(VersionIn):
    reason: str = Field(..., max_length=2000)


class NoteIn(Schema):
    note: str = Field("", max_length=2000)


class ReplyIn(VersionIn):
    text: str = Field(..., max_length=5000)


class DeferIn(Schema):
    reason: str = Field(..., max_length=2000)
    planned_date: date


class AssistIn(Schema):
    unit_code: str


class MergeIn(Schema):
    into_code: str
    reason: str = Field(..., max_length=500)


class ExtensionIn(Schema):
    extra_working_days: int
    reason: str = Field(..., max_length=2000)


class DecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=1000)


class SuperviseIn(Schema):
    requirement: str = Field(..., max_length=2000)
    respond_within_hours: int = Field(24, ge=1, le=720)


class ResponseIn(Schema):
    response: str = Field(..., max_length=2000)


class CallbackIn(Schema):
    reached: bool = True
    contacted: bool | None = None
    resolved: bool | None = None
    satisfaction: str = ""
    comment: str = Field("", max_length=2000)
    reopen_if_unresolved: bool = True


class CitizenEvaluationIn(Schema):
    phone_last4: str = Field(..., min_length=4, max_length=4)
    contacted: bool
    resolved: bool
    satisfaction: str
    comment: str = Field("", max_length=2000)


class UnitRef(Schema):
    code: str
    name: str


class AssignmentOut(Schema):
    unit: UnitRef
    role: str
    status: str
    assigned_at: datetime
    signed_at: datetime | None
    replied_at: datetime | None
    note: str


class AppealOut(Schema):
    tracking_code: str
    version: int
    channel: str
    status: str
    status_label: str
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


class EventOut(Schema):
    seq: int
    action: str
    action_label: str
    at: datetime
    actor: str
    from_status: str
    to_status: str
    reason: str
    changes: dict[str, list[object]]


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


class CreatedOut(Schema):
    tracking_code: str
    status: str
    main_unit: UnitRef | None
    dispatch_reason: str


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


class CallbackOut(Schema):
    id: int
    is_valid: bool
    contacted: bool | None
    resolved: bool | None
    satisfaction: str
    appeal_status: str


class UnitScoreOut(Schema):
    rank: int
    unit_code: str
    unit_name: str
    unit_kind: str
    valid: int
    contacted: int
    resolved: int
    satisfied: int
    basically_satisfied: int
    response_rate: float
    resolution_rate: float
    satisfaction_rate: float
    composite: float
