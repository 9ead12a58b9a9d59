"""The shapes of evaluate's API: what its routes take and give."""

from __future__ import annotations

from ninja import Field, Schema

from cityloop.kernel.api_schema import InSchema


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
    # not asked of a suggestion (建议): it is answered, not resolved
    resolved: bool | None = Field(None, title="是否解决")
    satisfaction: str = Field(..., max_length=20, title="满意度")
    comment: str = Field("", max_length=2000, title="评价意见")


class CallbackOut(Schema):
    id: int
    is_valid: bool
    contacted: bool | None
    resolved: bool | None
    satisfaction: str
    appeal_status: str
