"""API shapes, kept apart from the database models. Input texts stored in a column take
their limit and their Chinese title from it (core.api_schema.text)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema

from cityloop.appeals.enums import Channel
from cityloop.appeals.models import Appeal
from cityloop.kernel.api_schema import ErrorOut, InSchema, text
from cityloop.sla.models import Urgency

__all__ = ["ErrorOut"]


class AppealIn(InSchema):
    channel: Channel = Field(Channel.PHONE, title="渠道")
    title: str = text(Appeal, "title")
    content: str = text(Appeal, "content", ...)
    caller_name: str = text(Appeal, "caller_name")
    caller_phone: str = text(Appeal, "caller_phone")
    caller_id_number: str = text(Appeal, "caller_id_number")
    address_text: str = text(Appeal, "address_text")
    lat: float | None = Field(None, ge=-90, le=90, title="纬度")
    lng: float | None = Field(None, ge=-180, le=180, title="经度")
    standard_address_code: str = Field("", max_length=30, title="标准地址编码")
    category_code: str = Field("", max_length=20, title="分类编码")
    urgency: Urgency = Field(Urgency.NORMAL, title="紧急程度")
    is_complex: bool = False
    auto_dispatch: bool = True
    assist_unit_codes: list[str] = Field([], max_length=20, title="协办单位")
    email: str = Field("", max_length=254, title="电子邮箱（选填，用于接收办理进度通知）")


class PublicAppealIn(InSchema):
    title: str = text(Appeal, "title")
    content: str = text(Appeal, "content", ..., min_length=1)
    caller_name: str = text(Appeal, "caller_name")
    caller_phone: str = text(Appeal, "caller_phone", ..., min_length=5)
    address_text: str = text(Appeal, "address_text")
    lat: float | None = Field(None, ge=-90, le=90, title="纬度")
    lng: float | None = Field(None, ge=-180, le=180, title="经度")
    email: str = Field("", max_length=254, title="电子邮箱（选填，用于接收办理进度通知）")


class VersionIn(InSchema):
    expected_version: int | None = Field(None, ge=1, le=2**31 - 1, title="版本号")


class DispatchIn(VersionIn):
    unit_code: str = Field("", max_length=30, title="承办单位编码")
    category_code: str = Field("", max_length=20, title="分类编码")
    assist_unit_codes: list[str] = Field([], max_length=20, title="协办单位")
    reason: str = Field("", max_length=300, title="派单说明")


class RedispatchIn(VersionIn):
    unit_code: str = Field(..., max_length=30, title="承办单位编码")
    reason: str = Field(..., max_length=300, title="改派理由")


class ReasonIn(VersionIn):
    reason: str = Field(..., max_length=2000, title="理由")


class NoteIn(InSchema):
    note: str = Field("", max_length=2000, title="说明")


class ReplyIn(VersionIn):
    text: str = Field(..., max_length=5000, title="办理结果")


class DeferIn(InSchema):
    reason: str = Field(..., max_length=2000, title="挂账理由")
    planned_date: date = Field(..., title="计划解决日期")


class AssistIn(InSchema):
    unit_code: str = Field(..., max_length=30, title="协办单位编码")


class MergeIn(InSchema):
    into_code: str = Field(..., max_length=30, title="并入的查询码")
    reason: str = Field(..., max_length=500, title="合并理由")


class DecisionIn(InSchema):
    approve: bool = Field(..., title="是否同意")
    note: str = Field("", max_length=1000, title="审批意见")


class ResponseIn(InSchema):
    response: str = Field(..., max_length=2000, title="督办反馈")


class CallbackIn(InSchema):
    reached: bool = True
    contacted: bool | None = None
    resolved: bool | None = None
    satisfaction: str = Field("", max_length=20, title="满意度")
    comment: str = Field("", max_length=2000, title="评价意见")
    reopen_if_unresolved: bool = True


class CitizenEvaluationIn(InSchema):
    phone_last4: str = Field(..., min_length=4, max_length=4, title="手机号后四位")
    contacted: bool = Field(..., title="是否联系")
    resolved: bool = Field(..., title="是否解决")
    satisfaction: str = Field(..., max_length=20, title="满意度")
    comment: str = Field("", max_length=2000, title="评价意见")


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


class NoticeOut(Schema):
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
