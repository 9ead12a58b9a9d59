"""Placing an appeal (定位): on the standard address library, on a grid, or by a map point.
Intake places what it can; a dispatcher places the rest from the queue (event "locate").

Text that matches no standard address still lands somewhere sensible, level by level
(intake.fallback): a known road or landmark → its street, a street or town name, a district
name, else the city (the 12345 centre's dispatcher places it). The level reached is kept on
the appeal (`placement`)."""

from __future__ import annotations

import math

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cityloop.access.actors import Actor
from cityloop.appeals.enums import Placement
from cityloop.appeals.models import Appeal
from cityloop.appeals.services.core import apply, lock_appeal
from cityloop.dispatch.services import categorize
from cityloop.geo.models import Area, AreaLevel, StandardAddress
from cityloop.geo.services import ancestor_at
from cityloop.geo.services import locate as grid_at
from cityloop.kernel.errors import DomainError


def _invalid(message: object, **params: object) -> DomainError:
    return DomainError("invalid_location", message, field="place", **params)  # type: ignore[arg-type]


def check_point(lat: float | None, lng: float | None) -> None:
    if (lat is None) != (lng is None):
        raise _invalid(_("经纬度须同时填写"))
    if lat is None or lng is None:
        return
    if not (math.isfinite(lat) and math.isfinite(lng)):
        raise _invalid(_("经纬度须为数字"))
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise _invalid(_("经纬度超出范围"))


def place_fields(
    grid: Area | None, lat: float | None, lng: float | None, address_text: str
) -> dict[str, object]:
    """The appeal's place fields for a grid (its street and district follow from it)."""
    return {
        "lat": lat,
        "lng": lng,
        "grid": grid,
        "street": ancestor_at(grid, AreaLevel.STREET),
        "district": ancestor_at(grid, AreaLevel.DISTRICT),
        "address_text": address_text,
    }


def locate(
    tracking_code: str,
    *,
    actor: Actor,
    place_code: str = "",
    lat: float | None = None,
    lng: float | None = None,
    reason: str = "",
) -> Appeal:
    """A person places the appeal: `place_code` is a standard address or a grid code, or
    a map point (lat, lng) is given, which is placed on the grid that contains it."""
    place_code = place_code.strip()
    check_point(lat, lng)
    if not place_code and lat is None:
        raise _invalid(_("请填写标准地址或网格编码，或在地图上选点"))
    address = None
    grid: Area | None = None
    if place_code:
        address = StandardAddress.objects.select_related("grid").filter(code=place_code).first()
        if address is not None:
            grid = address.grid
        else:
            grid = Area.objects.filter(code=place_code, level=AreaLevel.GRID).first()
        if grid is None:
            raise _invalid(_("标准地址或网格编码不存在：%(value)s"), value=place_code)
    else:
        assert lat is not None and lng is not None
        grid = grid_at(lat, lng)
        if grid is None:
            raise _invalid(_("该位置不在本市任何网格内"))
    with transaction.atomic():
        appeal = lock_appeal(tracking_code)
        if address is not None and lat is None:
            lat, lng = address.lat, address.lng
        text = appeal.address_text or (address.full_text if address else "")
        fields = {
            "standard_address": address,
            "placement": Placement.MANUAL,
            **place_fields(grid, lat, lng, text),
        }
        why = reason or _("人工定位：%(place)s") % {
            "place": address.full_text if address else grid.name
        }
        apply(appeal, "locate", actor, reason=str(why), fields=fields)
    return appeal


def categorize_and_locate(
    tracking_code: str,
    *,
    actor: Actor,
    category_code: str = "",
    place_code: str = "",
    lat: float | None = None,
    lng: float | None = None,
) -> None:
    """定类定位 at the dispatcher's queue: the category and/or the place of a waiting appeal,
    so the rules can suggest its unit. Both go through the write path, or neither does."""
    category_code, place_code = category_code.strip(), place_code.strip()
    wants_place = bool(place_code) or lat is not None or lng is not None
    if not (category_code or wants_place):
        raise DomainError("nothing_to_set", _("请填写分类，或标准地址/网格编码，或经纬度"))
    with transaction.atomic():
        if category_code:
            categorize(tracking_code, actor=actor, category_code=category_code)
        if wants_place:
            locate(tracking_code, actor=actor, place_code=place_code, lat=lat, lng=lng)
