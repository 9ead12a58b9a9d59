"""Masking personal data (names, phone numbers, ID numbers, exact home addresses) for every
output that leaves the staff who need it: public pages, Open311, exports for analysts."""

from __future__ import annotations

import re

_HOUSE_DETAIL = re.compile(
    r"(\d+|[一二三四五六七八九十百]+)\s*(号院|号楼|号|栋|幢|单元|层|楼|室|户)"
)


def mask_name(name: str) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def mask_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_id_number(value: str) -> str:
    if len(value) < 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_address(address: str) -> str:
    """Keep the road, drop house numbers, buildings, units and rooms."""
    return _HOUSE_DETAIL.sub("**", address)


def mask_text(text: str) -> str:
    """Free text may carry phone numbers and ID numbers typed by the citizen."""
    text = re.sub(r"\d{17}[\dXx]", lambda m: mask_id_number(m.group()), text)
    text = re.sub(r"1[3-9]\d{9}", lambda m: mask_phone(m.group()), text)
    return mask_address(text)
