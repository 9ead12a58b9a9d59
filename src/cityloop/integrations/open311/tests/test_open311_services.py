"""Discovery, services and service definitions from the category taxonomy, in XML and JSON."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest
from django.test import Client

from cityloop.integrations.open311.tests.helpers import STREET_LIGHT, errors_of
from cityloop.taxonomy.models import Category
from cityloop.testing import TinyCity

pytestmark = pytest.mark.django_db


def test_discovery_names_the_v2_endpoint_and_both_formats(city: TinyCity) -> None:
    answer = Client().get("/open311/discovery.json")
    assert answer.status_code == 200
    endpoint = answer.json()["endpoints"][0]
    assert endpoint["url"].endswith("/open311/v2/")
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = ElementTree.fromstring(Client().get("/open311/v2/discovery.xml").content)
    assert root.tag == "discovery"
    assert [f.text for f in root.iter("format")] == ["text/xml", "application/json"]


def test_every_active_category_is_a_service_with_chinese_names(city: TinyCity) -> None:
    light = city.category(*STREET_LIGHT)
    answer = Client().get("/open311/v2/services.json")
    assert answer["Content-Type"] == "application/json; charset=utf-8"
    services = {s["service_code"]: s for s in answer.json()}
    assert len(services) == Category.objects.filter(is_active=True).count()
    assert services[light.code]["service_name"] == "城市公共设施"
    assert services[light.code]["group"] == "城乡建设"
    assert services[light.code]["metadata"] is True
    xml = Client().get("/open311/v2/services.xml")
    assert xml["Content-Type"] == "text/xml; charset=utf-8"
    root = ElementTree.fromstring(xml.content)
    codes = {s.findtext("service_code"): s for s in root.findall("service")}
    assert codes[light.code].findtext("service_name") == "城市公共设施"
    assert codes[light.code].findtext("metadata") == "true"


def test_a_definition_lists_attributes_with_datatypes_and_values(city: TinyCity) -> None:
    parent = city.category(*STREET_LIGHT[:2])
    children = {c.code for c in parent.children.filter(is_active=True)}
    definition = Client().get(f"/open311/v2/services/{parent.code}.json").json()
    assert definition["service_code"] == parent.code
    by_code = {a["code"]: a for a in definition["attributes"]}
    assert {v["key"] for v in by_code["subcategory"]["values"]} == children
    assert by_code["site_conditions"]["datatype"] == "multivaluelist"
    assert by_code["noticed_at"]["datatype"] == "datetime"
    assert by_code["people_affected"]["datatype"] == "number"
    assert [a["order"] for a in definition["attributes"]] == sorted(
        a["order"] for a in definition["attributes"]
    )
    # a leaf has no subcategories to offer
    leaf = json.loads(
        Client().get(f"/open311/v2/services/{city.category(*STREET_LIGHT).code}.json").content
    )
    assert "subcategory" not in {a["code"] for a in leaf["attributes"]}
    root = ElementTree.fromstring(Client().get(f"/open311/v2/services/{parent.code}.xml").content)
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/values/value/key") is not None


def test_unknown_service_and_jurisdiction_are_404_in_the_asked_format(city: TinyCity) -> None:
    answer = Client().get("/open311/v2/services/NOPE.json")
    assert answer.status_code == 404 and errors_of(answer)[0]["code"] == 404
    answer = Client().get("/open311/v2/services.xml?jurisdiction_id=elsewhere")
    assert answer.status_code == 404 and "elsewhere" in errors_of(answer)[0]["description"]
    assert Client().get("/open311/v2/services.json?jurisdiction_id=cityloop").status_code == 200
