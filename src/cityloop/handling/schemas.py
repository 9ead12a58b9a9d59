"""The shapes of handling's API: what its routes take and give."""

from __future__ import annotations

from datetime import date

from ninja import Field

from cityloop.appeals.schemas import VersionIn
from cityloop.kernel.api_schema import InSchema


class NoteIn(InSchema):
    note: str = Field("", max_length=2000, title="说明")


class ReplyIn(VersionIn):
    text: str = Field(..., max_length=5000, title="办理结果")
    # the reply gate in confirm mode: why a reply the check finds weak is sent anyway
    confirm_reason: str = Field("", max_length=1000, title="确认发送理由")


class DeferIn(InSchema):
    reason: str = Field(..., max_length=2000, title="挂账理由")
    planned_date: date = Field(..., title="计划解决日期")


class MergeIn(InSchema):
    into_code: str = Field(..., max_length=30, title="并入的查询码")
    reason: str = Field(..., max_length=500, title="合并理由")
