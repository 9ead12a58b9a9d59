"""The attributes every service takes (GeoReport v2 service definitions): their codes,
datatypes and values, and the check of what a client sent for them. Defined once here: the
definition served and the check made on POST both read this list."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import Promise
from django.utils.timezone import get_current_timezone, is_naive, make_aware
from django.utils.translation import gettext_lazy as _

from cityloop.appeals.enums import AppealType
from cityloop.kernel.errors import DomainError
from cityloop.sla.models import Urgency
from cityloop.taxonomy.models import Category

STRING_MAX = 200
TEXT_MAX = 2000

FIRST_YEAR, LAST_YEAR = 1900, 2999  # the datetimes a client may send
SITE_CONDITIONS = {
    "blocks_traffic": _("影响通行"),
    "safety_hazard": _("存在安全隐患"),
    "night_noise": _("夜间扰民"),
    "lasting": _("持续多日"),
}


def _subcategories(category: Category) -> list[tuple[str, str]]:
    return [
        (child.code, child.name)
        for child in category.children.filter(is_active=True).order_by("code")
    ]


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str  # string, number, datetime, text, singlevaluelist, multivaluelist
    description: str | Promise
    datatype_description: str | Promise = ""
    values: Callable[[Category], list[tuple[str, str]]] | None = None

    def value_list(self, category: Category) -> list[tuple[str, str]]:
        return self.values(category) if self.values is not None else []


ATTRIBUTES = [
    Attribute(
        "subcategory",
        "singlevaluelist",
        _("细分类别"),
        _("本服务下更具体的分类（可选）"),
        _subcategories,
    ),
    Attribute(
        "appeal_type",
        "singlevaluelist",
        _("诉求类型"),
        _("不填时按内容判断"),
        lambda _category: [(value, str(label)) for value, label in AppealType.choices],
    ),
    Attribute(
        "urgency",
        "singlevaluelist",
        _("紧急程度"),
        "",
        lambda _category: [(value, str(label)) for value, label in Urgency.choices],
    ),
    Attribute("title", "string", _("标题"), _("不超过 200 字")),
    Attribute("noticed_at", "datetime", _("发现时间"), _("W3C 格式，如 2026-12-01T08:30:00+08:00")),
    Attribute("people_affected", "number", _("受影响人数"), _("非负数")),
    Attribute(
        "site_conditions",
        "multivaluelist",
        _("现场情况"),
        _("可多选"),
        lambda _category: [(key, str(label)) for key, label in SITE_CONDITIONS.items()],
    ),
]
BY_CODE = {attribute.code: attribute for attribute in ATTRIBUTES}


def definition(category: Category) -> list[dict[str, Any]]:
    """The attributes of the service definition of `category`, in order."""
    out = []
    for order, attribute in enumerate(ATTRIBUTES, start=1):
        values = attribute.value_list(category)
        if attribute.datatype.endswith("valuelist") and not values:
            continue  # a leaf category has no subcategories to choose from
        item: dict[str, Any] = {
            "variable": True,
            "code": attribute.code,
            "datatype": attribute.datatype,
            "required": False,
            "datatype_description": str(attribute.datatype_description),
            "order": order,
            "description": str(attribute.description),
        }
        if values:
            item["values"] = [{"key": key, "name": name} for key, name in values]
        out.append(item)
    return out


def _invalid(code: str, message: str | Promise, **params: Any) -> DomainError:
    return DomainError("invalid_attribute", message, attribute=code, **params)


def parse_when(text: str) -> datetime | None:
    """A W3C datetime (or a bare date, read as local midnight); a time without a zone is the
    city's local time. None when `text` is no such thing (month 13 included)."""
    text = text.strip()
    if not text or len(text) > 40:
        return None
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            if day is None:
                return None
            moment = datetime(day.year, day.month, day.day)
    except ValueError:
        return None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        return None  # far dates overflow on the way to UTC or by the 90-day window
    if is_naive(moment):
        moment = make_aware(moment, get_current_timezone())
    return moment


def clean(category: Category, sent: dict[str, list[str]]) -> dict[str, Any]:
    """The attributes a client sent ({code: [values]}), checked against the definition:
    unknown codes, values outside their list, bad numbers and datetimes are refused."""
    out: dict[str, Any] = {}
    for code, values in sent.items():
        attribute = BY_CODE.get(code)
        if attribute is None:
            raise _invalid(code, _("未知的属性：%(attribute)s"))
        values = [value.strip() for value in values if value.strip()]
        if not values:
            continue
        if attribute.datatype != "multivaluelist" and len(values) > 1:
            raise _invalid(code, _("属性 %(attribute)s 只能有一个值"))
        value = values[0]
        if attribute.datatype.endswith("valuelist"):
            allowed = {key for key, _name in attribute.value_list(category)}
            wrong = [v for v in values if v not in allowed]
            if wrong:
                raise _invalid(
                    code, _("属性 %(attribute)s 的取值无效：%(value)s"), value=", ".join(wrong)
                )
            out[code] = values if attribute.datatype == "multivaluelist" else value
        elif attribute.datatype == "number":
            try:
                number = float(value)
            except ValueError:
                number = math.nan
            if not math.isfinite(number) or number < 0:
                raise _invalid(code, _("属性 %(attribute)s 须为非负数：%(value)s"), value=value)
            out[code] = number
        elif attribute.datatype == "datetime":
            moment = parse_when(value)
            if moment is None:
                raise _invalid(
                    code, _("属性 %(attribute)s 不是有效的时间：%(value)s"), value=value[:40]
                )
            out[code] = moment
        else:
            limit = STRING_MAX if attribute.datatype == "string" else TEXT_MAX
            if len(value) > limit:
                raise _invalid(code, _("属性 %(attribute)s 不能超过 %(limit)s 字"), limit=limit)
            out[code] = value
    return out
