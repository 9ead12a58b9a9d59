"""The XML writer: nested lists get the specification's item names, and text that XML 1.0
cannot carry is left out rather than making the document unreadable."""

from __future__ import annotations

from xml.etree import ElementTree

from cityloop.integrations.open311.formats import to_xml


def test_lists_are_named_as_the_spec_names_them_and_control_characters_dropped() -> None:
    body = to_xml(
        "service_requests",
        [{"description": "路灯\x01不亮\x0b", "notes": [{"summary": "受理"}], "lat": None}],
    )
    root = ElementTree.fromstring(body)
    assert root.findtext("request/description") == "路灯不亮"
    assert root.findtext("request/notes/note/summary") == "受理"
    assert root.find("request/lat").text is None
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
