"""The facility registry from a CSV file (城市部件台账导入): one row per device, matched by its
code, so importing the same file twice changes nothing. A row that cannot be used is
rejected with its line and the reason; the others are kept.

Columns (a header row, UTF-8, with or without a BOM):
  code       device code, unique (required)
  kind       streetlight, manhole, drain, gas_point, water_point, traffic_light, other, or
             its Chinese name (路灯, 井盖, …) (required)
  name       what the device is called (required)
  lat, lng   where it stands, WGS-84 degrees (required)
  unit       code of the responsible unit (required)
  grid       grid code; empty: the grid the point lies in
  address    standard address code (optional)
  category   category code its appeals are filed under (optional)
  active     1/0, yes/no, 是/否 (optional, default 1)"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from cityloop.access.actors import SYSTEM, Actor
from cityloop.geo.models import Area, AreaLevel, StandardAddress
from cityloop.geo.services import locate
from cityloop.intake.sensors.models import Facility, FacilityKind
from cityloop.kernel.errors import PermissionDenied
from cityloop.kernel.limits import max_length
from cityloop.org.models import Role, Unit
from cityloop.taxonomy.models import Category

REQUIRED_COLUMNS = ("code", "kind", "name", "lat", "lng", "unit")
OPTIONAL_COLUMNS = ("grid", "address", "category", "active")
CODE_MAX = max_length(Facility, "code") or 0
NAME_MAX = max_length(Facility, "name") or 0
_TRUE, _FALSE = {"", "1", "yes", "true", "是", "y"}, {"0", "no", "false", "否", "n"}


class RowRejected(Exception):
    pass


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # line, code, reason


def _kind(value: str) -> str:
    """A kind by its code or its name, in Chinese (the city's language, whatever language
    the caller reads) or in the language active now."""
    value = value.strip()
    with translation.override(settings.LANGUAGE_CODE):
        chinese = {str(kind.label): kind.value for kind in FacilityKind}
    for kind in FacilityKind:
        if value in (kind.value, str(kind.label)) or chinese.get(value) == kind.value:
            return kind.value
    raise RowRejected(_("未知的部件类型：%(value)s") % {"value": value})


def _degrees(row: dict[str, str], name: str, limit: float) -> float:
    try:
        value = float(row[name])
    except ValueError:
        message = _("%(name)s 应为数字：%(value)s") % {"name": name, "value": row[name]}
        raise RowRejected(message) from None
    if not -limit <= value <= limit:
        raise RowRejected(_("%(name)s 超出范围：%(value)s") % {"name": name, "value": row[name]})
    return value


def _fields(row: dict[str, str]) -> dict[str, Any]:
    """The facility's fields from one row, or RowRejected with the first thing wrong."""
    for column in REQUIRED_COLUMNS:
        if not row.get(column):
            raise RowRejected(_("缺少必填列 %(column)s") % {"column": column})
    if len(row["code"]) > CODE_MAX or len(row["name"]) > NAME_MAX:
        raise RowRejected(_("设备编码或名称过长"))
    lat, lng = _degrees(row, "lat", 90), _degrees(row, "lng", 180)
    unit = Unit.objects.filter(code=row["unit"], is_active=True).first()
    if unit is None:
        raise RowRejected(_("责任单位不存在：%(value)s") % {"value": row["unit"]})
    if row.get("grid"):
        grid = Area.objects.filter(code=row["grid"], level=AreaLevel.GRID).first()
        if grid is None:
            raise RowRejected(_("网格不存在：%(value)s") % {"value": row["grid"]})
    else:
        grid = locate(lat, lng)
        if grid is None:
            raise RowRejected(_("坐标不在任何网格内，请填写 grid 列"))
    address = None
    if row.get("address"):
        address = StandardAddress.objects.filter(code=row["address"]).first()
        if address is None:
            raise RowRejected(_("标准地址不存在：%(value)s") % {"value": row["address"]})
    category = None
    if row.get("category"):
        category = Category.objects.filter(code=row["category"], is_active=True).first()
        if category is None:
            raise RowRejected(_("分类编码不存在：%(value)s") % {"value": row["category"]})
    active = row.get("active", "").lower()
    if active not in _TRUE | _FALSE:
        raise RowRejected(_("active 只能是 1 或 0：%(value)s") % {"value": row["active"]})
    return {
        "kind": _kind(row["kind"]),
        "name": row["name"],
        "lat": lat,
        "lng": lng,
        "grid": grid,
        "unit": unit,
        "standard_address": address,
        "category": category,
        "is_active": active in _TRUE,
    }


def missing_columns(header: Iterable[str]) -> list[str]:
    return [column for column in REQUIRED_COLUMNS if column not in set(header)]


def import_facilities(lines: Iterable[str], *, actor: Actor) -> ImportReport:
    """Create or update the facilities of a CSV text, by code; one transaction (a crash
    keeps none of it). A header without the required columns raises RowRejected."""
    if actor.role not in (Role.ADMIN, SYSTEM):
        raise PermissionDenied("role_not_allowed", _("只有系统管理员可以导入城市部件"))
    reader = csv.DictReader(lines)
    missing = missing_columns(reader.fieldnames or [])
    if missing:
        raise RowRejected(_("缺少列：%(columns)s") % {"columns": ", ".join(missing)})
    report, seen = ImportReport(), set()
    with transaction.atomic():
        for row in reader:
            line = reader.line_num
            cells = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            code = cells.get("code", "")
            try:
                if code in seen:
                    raise RowRejected(_("设备编码在文件中重复"))
                fields = _fields(cells)
            except RowRejected as refused:
                report.rejected.append((line, code, str(refused)))
                continue
            seen.add(code)
            _save(report, code, fields)
    return report


def _save(report: ImportReport, code: str, fields: dict[str, Any]) -> None:
    facility = Facility.objects.filter(code=code).first()
    if facility is None:
        Facility.objects.create(code=code, **fields)
        report.created += 1
        return
    changed = [name for name, value in fields.items() if getattr(facility, name) != value]
    if not changed:
        report.unchanged += 1
        return
    for name in changed:
        setattr(facility, name, fields[name])
    facility.save(update_fields=changed)
    report.updated += 1
