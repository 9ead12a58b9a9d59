from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from cityloop.kernel.api_schema import InSchema


class SubscriptionIn(InSchema):
    url: str = Field(..., min_length=1, max_length=500, title="推送地址")
    kinds: list[str] = Field(default_factory=list, max_length=100, title="事件类型")
    secret: str = Field("", max_length=128, title="签名密钥")


class SubscriptionOut(Schema):
    id: int
    url: str
    kinds: list[str]
    created_at: datetime
    deleted_at: datetime | None = None


class SubscriptionCreatedOut(SubscriptionOut):
    secret: str  # shown once, in the answer that creates the subscription


class DeliveryOut(Schema):
    id: int
    key: str
    kind: str
    tracking_code: str
    status: str
    attempts: int
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    sent_at: datetime | None
    response_status: int | None
    error: str
