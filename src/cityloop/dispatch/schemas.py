"""The shapes of dispatch's API: what its routes take and give."""

from __future__ import annotations

from ninja import Field

from cityloop.appeals.schemas import VersionIn
from cityloop.kernel.api_schema import InSchema


class DispatchIn(VersionIn):
    unit_code: str = Field("", max_length=30, title="承办单位编码")
    category_code: str = Field("", max_length=20, title="分类编码")
    assist_unit_codes: list[str] = Field([], max_length=20, title="协办单位")
    reason: str = Field("", max_length=300, title="派单说明")


class RedispatchIn(VersionIn):
    unit_code: str = Field(..., max_length=30, title="承办单位编码")
    reason: str = Field(..., max_length=300, title="改派理由")


class AssistIn(InSchema):
    unit_code: str = Field(..., max_length=30, title="协办单位编码")
