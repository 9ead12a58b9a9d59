"""The two formats of GeoReport v2: XML (required by the specification) and JSON, and the
specification's error document in either. Everything sent is UTF-8; datetimes carry their
zone (the city's local time with its offset)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any
from xml.etree import ElementTree

from django.http import HttpResponse

from cityloop.kernel import clock

FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
# Characters XML 1.0 cannot carry at all (a control character typed into an appeal would
# make the whole document unreadable): left out of XML answers.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The element of one item in each list, as the specification names them.
ITEM_OF = {
    "service_requests": "request",
    "services": "service",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
    "notes": "note",
}


def w3c(moment: datetime | date | None) -> str:
    """A W3C datetime in the city's zone, with its offset: 2026-12-01T10:17:07+08:00."""
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        return clock.local(moment).replace(microsecond=0).isoformat()
    return moment.isoformat()


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return w3c(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


def _element(parent: ElementTree.Element, name: str, value: Any) -> None:
    child = ElementTree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _element(child, key, item)
    elif isinstance(value, list):
        for item in value:
            _element(child, ITEM_OF.get(name, "item"), item)
    elif isinstance(value, bool):
        child.text = "true" if value else "false"
    elif value is not None:
        child.text = _NOT_XML.sub("", str(value))


def to_xml(root: str, value: Any) -> bytes:
    """`value` (a list or a dict) as the document <root>…</root>."""
    holder = ElementTree.Element("holder")
    _element(holder, root, _plain(value))
    body = ElementTree.tostring(holder[0], encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode()


def respond(fmt: str, root: str, value: Any, status: int = 200) -> HttpResponse:
    """`value` in `fmt`; in JSON a list is the array itself and a dict the object itself."""
    if fmt == "json":
        body = json.dumps(_plain(value), ensure_ascii=False).encode("utf-8", "replace")
    else:
        body = to_xml(root, value)
    return HttpResponse(body, status=status, content_type=FORMATS[fmt])


def error_response(fmt: str, status: int, errors: list[tuple[str, str]]) -> HttpResponse:
    """The specification's errors: <errors><error><code/><description/></error></errors> or
    a JSON array of {code, description}; the code is the HTTP status, the description says
    what is wrong (in the caller's language) and names the machine reason."""
    items = [{"code": status, "description": description} for _reason, description in errors]
    response = respond(fmt if fmt in FORMATS else "xml", "errors", items, status)
    response["X-Open311-Error"] = ",".join(reason for reason, _ in errors)
    return response
