"""Shared by the Open311 tests: a key issued by the administrator, and the parsed answers."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree

from cityloop.access import keys
from cityloop.org.models import KeyScope, Unit
from cityloop.testing import TinyCity

STREET_LIGHT = ("城乡建设", "城市建设和市政管理", "城市公共设施")


def issue(city: TinyCity, *scopes: str, units: tuple[Unit, ...] = (), rate: int = 1000) -> str:
    city.admin_client()
    _key, raw = keys.issue_key(
        actor=city.actor("admin"),
        name="区数字城管系统",
        scopes=scopes or (KeyScope.OPEN311_WRITE, KeyScope.OPEN311_READ),
        units=units,
        rate_per_minute=rate,
    )
    return raw


def form(city: TinyCity, raw: str, **fields: Any) -> dict[str, Any]:
    """A valid request for the street-light service at a standard address; fields override."""
    base = {
        "api_key": raw,
        "service_code": city.category(*STREET_LIGHT).code,
        "address_id": city.addresses[0].code,
        "description": "小区门口路灯不亮，联系人张三丰 13912345678",
        "first_name": "三丰",
        "last_name": "张",
        "phone": "13912345678",
    }
    return {key: value for key, value in {**base, **fields}.items() if value is not None}


def errors_of(response: Any) -> list[dict[str, Any]]:
    """The specification's error list, from either format; fails on anything else."""
    if response["Content-Type"].startswith("application/json"):
        items = json.loads(response.content)
        assert isinstance(items, list) and items
        assert all(set(item) == {"code", "description"} for item in items)
        return items
    assert response["Content-Type"].startswith("text/xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == "errors"
    return [
        {"code": int(error.findtext("code") or 0), "description": error.findtext("description")}
        for error in root.findall("error")
    ]


def xml_requests(response: Any) -> list[dict[str, str]]:
    root = ElementTree.fromstring(response.content)
    assert root.tag == "service_requests"
    return [{child.tag: child.text or "" for child in item} for item in root.findall("request")]
