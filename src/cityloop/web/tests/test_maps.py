"""The maps as a browser receives them: the demo city's real district outlines embedded in
the page with a legend, a picked point named by its street, and no tile server asked for
unless the deployment names its own."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth import get_user_model

from cityloop.bootstrap import seed_reference
from cityloop.demo.generator import build_city
from cityloop.geo.geometry import point_in_ring
from cityloop.geo.models import Area, AreaLevel
from cityloop.geo.outlines import district_outlines


@pytest.fixture
def demo_city(db):
    seed_reference()
    build_city(seed=3, streets_per_district=1, progress=lambda *_: None)


def embedded(html: str, element_id: str):
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html)
    assert found, f"no {element_id} in the page"
    return json.loads(found.group(1))


def assert_carries_the_real_outlines(html: str) -> None:
    districts = embedded(html, "district-outlines")["features"]
    names = {f["properties"]["name"] for f in districts}
    assert len(districts) == 16 and {"东城区", "朝阳区", "延庆区"} <= names
    outlines = district_outlines()
    for feature in districts:
        ring = feature["geometry"]["coordinates"][0]
        real = outlines[feature["properties"]["code"]]
        assert len(ring) == len(real)
        gaps = [max(abs(p[0] - q[0]), abs(p[1] - q[1])) for p, q in zip(ring, real, strict=True)]
        assert max(gaps) < 1e-4
        # the name is written inside the district
        assert point_in_ring(*feature["properties"]["label"], real), feature["properties"]["name"]


def test_the_report_map_carries_the_district_outlines_and_a_legend(demo_city, client):
    page = client.get("/report/")
    html = page.content.decode()
    assert page.status_code == 200
    assert_carries_the_real_outlines(html)
    legend = re.search(r'data-testid="map-legend".*?</div>\s*</div>', html, re.S)
    assert legend and all(key in legend.group(0) for key in ("区界", "街道界", "事发位置"))
    assert embedded(html, "tile-url") == "", "no tile server: the map asks for nothing outside"


def test_the_dashboard_map_carries_the_outlines_and_its_legend(demo_city, client):
    client.force_login(get_user_model().objects.get(username="supervisor"))
    page = client.get("/dashboard/")
    html = page.content.decode()
    assert page.status_code == 200
    assert_carries_the_real_outlines(html)
    legend = re.search(r'data-testid="map-legend".*?</div>\s*</div>', html, re.S)
    assert legend and "各区近30天诉求量" in legend.group(0) and "其中有超期" in legend.group(0)


def test_a_deployments_own_tile_server_is_used_when_it_is_named(demo_city, client, settings):
    settings.CITYLOOP_TILE_URL = "https://gis.example.gov.cn/tiles/{z}/{x}/{y}.png"
    html = client.get("/report/").content.decode()
    assert embedded(html, "tile-url") == settings.CITYLOOP_TILE_URL


def test_a_picked_point_is_named_by_its_district_street_and_grid(demo_city, client):
    street = Area.objects.filter(level=AreaLevel.STREET, parent__code="110105").get()
    grid = Area.objects.filter(level=AreaLevel.GRID, code__startswith=street.code).first()
    lng, lat = embedded_label(client, grid.code)
    answer = client.get("/geo/place.json", {"lat": lat, "lng": lng})
    assert answer.status_code == 200
    assert answer.json() == {
        "found": True,
        "district": "朝阳区",
        "street": street.name,
        "grid": grid.name,
    }


def embedded_label(client, grid_code: str) -> list[float]:
    """Where the map writes the grid's name: a point inside it."""
    geo = client.get("/geo/areas.geojson", {"level": "grid", "within": grid_code}).json()
    return geo["features"][0]["properties"]["label"]


def test_a_point_outside_the_city_is_said_to_be_outside(demo_city, client):
    answer = client.get("/geo/place.json", {"lat": 31.23, "lng": 121.47})  # Shanghai
    assert answer.status_code == 200
    assert answer.json() == {"found": False, "message": "该位置不在本市的网格内"}


@pytest.mark.parametrize(
    "query", [{}, {"lat": "39.9"}, {"lat": "北纬", "lng": "116.4"}, {"lat": "nan", "lng": "116.4"}]
)
def test_a_point_that_is_not_one_is_refused_in_the_users_language(db, client, query):
    answer = client.get("/geo/place.json", query)
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_point" and "纬度" in answer.json()["message"]
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/geo/place.json", query)
    assert english.status_code == 400 and "latitude" in english.json()["message"]
