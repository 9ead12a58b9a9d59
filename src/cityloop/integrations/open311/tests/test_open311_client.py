"""An Open311 client library from PyPI (georeport) works against /open311/v2/ unchanged, in
XML and JSON, over a real server on loopback. georeport cannot file requests: the POST is
made with a plain HTTP client and its XML read with the standard library."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
import requests

from cityloop.integrations.open311.tests.helpers import STREET_LIGHT, form, issue
from cityloop.testing import TinyCity

georeport = pytest.importorskip("georeport")


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_georeport_reads_services_definitions_and_requests(
    live_server, city_tx: TinyCity, fmt: str
) -> None:
    root = f"{live_server.url}/open311/v2"
    raw = issue(city_tx)
    # filed with a plain HTTP client, multipart like a phone app would
    posted = requests.post(
        f"{root}/requests.xml", data=form(city_tx, raw), files={"unused": ("", b"")}, timeout=30
    )
    assert posted.status_code == 200, posted.text
    created = ElementTree.fromstring(posted.content).find("request")
    assert created is not None
    code = created.findtext("service_request_id")

    client = georeport.GeoReport(root, jurisdiction="cityloop", output_format=fmt)
    services = client.get_service_list()
    light = city_tx.category(*STREET_LIGHT)
    by_code = {service["service_code"]: service for service in services}
    assert by_code[light.code]["service_name"] == "城市公共设施"

    parent = city_tx.category(*STREET_LIGHT[:2])
    definition = client.get_service_definition(parent.code)
    assert definition["service_code"] == parent.code
    attributes = definition["attributes"]
    if fmt == "xml":  # xmltodict: <attributes><attribute>…
        attributes = attributes["attribute"]
    assert "subcategory" in {attribute["code"] for attribute in attributes}

    found = client.get_service_requests(status="open")
    found = found if isinstance(found, list) else [found]  # xmltodict: one is a dict
    assert [request["service_request_id"] for request in found] == [code]
    one = client.get_service_request(code)
    assert one["service_request_id"] == code
    assert one["agency_responsible"] == city_tx.street_offices[0].name
    assert "13912345678" not in one["description"]
    assert one["requested_datetime"].endswith("+08:00")

    with pytest.raises(requests.HTTPError) as refused:
        client.get_service_definition("NOPE")
    assert refused.value.response.status_code == 404
