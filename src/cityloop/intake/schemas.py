"""The shapes of intake's API: what its routes take and give."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Schema

from cityloop.appeals.enums import Channel
from cityloop.appeals.models import Appeal
from cityloop.appeals.schemas import UnitRef
from cityloop.kernel.api_schema import InSchema, text
from cityloop.sla.models import Urgency


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
    place_by: Literal["", "map", "text"] = Field(
        "",
        title="定位依据",
        description="地图选点与所填地址不在同一区或街道时，以哪一个为准（map 或 text）；"
        "不填而两者不一致时返回 400 place_conflict",
    )
    standard_address_code: str = Field("", max_length=30, title="标准地址编码")
    category_code: str = Field("", max_length=20, title="分类编码")
    urgency: Urgency = Field(Urgency.NORMAL, title="紧急程度")
    is_complex: bool = False
    auto_dispatch: bool = True
    assist_unit_codes: list[str] = Field([], max_length=20, title="协办单位")
    # empty: suggested from the text (求助 when no keyword fits)
    appeal_type: str = Field("", max_length=20, title="诉求类型")
    # a consultation answered during the call: the appeal is closed at once with it
    answer: str = Field("", max_length=5000, title="当场答复")
    email: str = Field("", max_length=254, title="电子邮箱（选填，用于接收办理进度通知）")


class PublicAppealIn(InSchema):
    title: str = text(Appeal, "title")
    content: str = text(Appeal, "content", ..., min_length=1)
    caller_name: str = text(Appeal, "caller_name")
    caller_phone: str = text(Appeal, "caller_phone", ..., min_length=5)
    address_text: str = text(Appeal, "address_text")
    lat: float | None = Field(None, ge=-90, le=90, title="纬度")
    lng: float | None = Field(None, ge=-180, le=180, title="经度")
    place_by: Literal["", "map", "text"] = Field(
        "",
        title="定位依据",
        description="地图选点与所填地址不在同一区或街道时，以哪一个为准（map 或 text）；"
        "不填而两者不一致时返回 400 place_conflict",
    )
    appeal_type: str = Field("", max_length=20, title="诉求类型")
    email: str = Field("", max_length=254, title="电子邮箱（选填，用于接收办理进度通知）")


class CreatedOut(Schema):
    tracking_code: str
    status: str
    main_unit: UnitRef | None
    dispatch_reason: str
