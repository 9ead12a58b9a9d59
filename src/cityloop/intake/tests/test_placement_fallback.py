"""Every appeal lands somewhere sensible: real addresses that the standard address library
does not hold fall back to the street of a known road, a street or district named in the
text, or the city; and a map point never silently overrides the typed address."""

from __future__ import annotations

import pytest
from django.test import Client

from cityloop.appeals.models import Appeal
from cityloop.geo.models import Area, AreaLevel
from cityloop.testing import post_json

STREET_LIGHT = ("城乡建设", "城市建设和市政管理", "城市公共设施")
IN_JIANWAI = {"lat": 39.95, "lng": 116.45}  # the tiny city's 建外街道 grid
IN_CHAOWAI = {"lat": 39.95, "lng": 116.55}  # its 朝外街道 grid


@pytest.fixture
def haidian(city):
    """A second district with the street 中关村大街 lies in (no grid, no standard address)."""
    district = Area.objects.create(
        code="110108", name="海淀区", level=AreaLevel.DISTRICT, parent=city.district.parent
    )
    Area.objects.create(
        code="110108011", name="中关村街道", level=AreaLevel.STREET, parent=district
    )
    return district


def intake(city, content, **fields):
    payload = {"content": content, "caller_phone": "13800138000", **fields}
    return post_json(city.client("calltaker"), "/api/appeals", payload)


def placed(response):
    assert response.status_code == 201, response.content
    return Appeal.objects.get(tracking_code=response.json()["tracking_code"])


def test_a_real_road_missing_from_the_library_lands_in_its_street_and_is_dispatched(city):
    response = intake(
        city,
        "建国门外大街1号门口路灯不亮",
        category_code=city.category(*STREET_LIGHT).code,
    )
    appeal = placed(response)
    assert (appeal.district, appeal.street, appeal.grid) == (city.district, city.streets[0], None)
    assert appeal.placement == "road" and appeal.standard_address is None
    assert "建国门外大街" in appeal.events.get(action="locate").reason
    # the street-of-location rule now finds the street office without a grid
    assert response.json()["main_unit"]["code"] == city.street_offices[0].code


def test_each_fallback_level_is_reached_and_recorded(city, haidian):
    cases = [
        ("中关村大街27号楼下井盖丢了", "road", haidian, "中关村街道"),
        ("朝外那边有人占道经营", "street", city.district, "朝外街道"),
        ("海淀区有个胡同里垃圾没人清", "district", haidian, None),
        ("公司拖欠工资三个月了", "city", None, None),
    ]
    for content, level, district, street in cases:
        appeal = placed(intake(city, content))
        assert appeal.placement == level, content
        assert appeal.district == district, content
        assert (appeal.street.name if appeal.street else None) == street, content
        assert appeal.status == "received", "no category yet: it waits for a dispatcher"
    nowhere = Appeal.objects.get(placement="city")
    assert "未能匹配" in nowhere.events.get(action="locate").reason


def test_the_appeal_page_says_how_the_appeal_was_placed(city, haidian):
    appeal = placed(intake(city, "中关村大街27号楼下井盖丢了"))
    page = city.client("dispatcher").get(f"/appeals/{appeal.tracking_code}/").content.decode()
    badge = page.split('data-testid="placement"')[1].split("</span>")[0]
    assert "道路/地标" in badge


def test_a_library_match_elsewhere_does_not_beat_the_road_the_text_names(city, haidian):
    # The tiny library has 光华路1号院 in 建外街道; "光华路" is also real. The text names
    # 海淀区, so the library address (朝阳区) is not taken.
    appeal = placed(intake(city, "海淀区中关村大街1号院光华路口"))
    assert appeal.standard_address is None
    assert (appeal.district, appeal.street.name) == (haidian, "中关村街道")


def test_the_queue_shows_how_each_appeal_was_placed(city):
    placed(intake(city, "建国门外大街1号门口有人占道"))
    html = city.client("dispatcher").get("/queue/").content.decode()
    assert "朝阳区建外街道" in html and "定位：道路/地标" in html


def test_a_map_point_that_disagrees_with_the_address_is_refused_over_the_api(city):
    before = Appeal.objects.count()
    refused = intake(city, "门口路灯不亮", address_text="建国门外大街1号", **IN_CHAOWAI)
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "place_conflict" and body["field"] == "place_by"
    assert "朝阳区朝外街道" in body["message"] and "朝阳区建外街道" in body["message"]
    in_english = Client()
    in_english.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = post_json(
        in_english,
        "/api/public/appeals",
        {"content": "x", "caller_phone": "13800138000", "address_text": "建国门外大街1号"}
        | IN_CHAOWAI,
    )
    assert english.status_code == 400 and "choose which one" in english.json()["message"]
    assert Appeal.objects.count() == before, "nothing stored"

    by_text = placed(
        intake(city, "门口路灯不亮", address_text="建国门外大街1号", place_by="text", **IN_CHAOWAI)
    )
    assert by_text.street == city.streets[0] and by_text.lat is None
    reason = by_text.events.get(action="locate").reason
    assert "以填写的地址为准" in reason and "朝外街道" in reason, "the other reading is kept"

    by_map = placed(
        intake(city, "门口路灯不亮", address_text="建国门外大街1号", place_by="map", **IN_CHAOWAI)
    )
    assert by_map.grid == city.grids[1] and by_map.placement == "point"
    assert "以地图选点为准" in by_map.events.get(action="locate").reason

    wrong = intake(city, "门口路灯不亮", address_text="建国门外大街1号", place_by="both")
    assert wrong.status_code == 422 and "place_by" in wrong.json()["field"], wrong.json()


def test_a_map_point_that_agrees_with_the_address_places_on_its_grid(city):
    appeal = placed(intake(city, "门口路灯不亮", address_text="建国门外大街1号", **IN_JIANWAI))
    assert appeal.grid == city.grids[0] and appeal.placement == "point"
    assert (appeal.lat, appeal.lng) == (IN_JIANWAI["lat"], IN_JIANWAI["lng"])


def test_the_report_form_asks_which_place_holds_when_map_and_address_disagree(city):
    form = {
        "content": "望京这边小区门口路灯坏了",
        "address_text": "建国门外大街1号",
        "caller_phone": "13800138000",
        **IN_CHAOWAI,
    }
    asked = Client().post("/report/", form)
    html = asked.content.decode()
    assert asked.status_code == 400 and not Appeal.objects.exists()
    assert 'data-testid="place-conflict"' in html
    assert "以地图选点为准：<b>朝阳区朝外街道</b>" in html
    assert "以填写的地址为准：<b>朝阳区建外街道</b>" in html
    assert 'value="建国门外大街1号"' in html and 'value="116.55"' in html, "nothing typed is lost"

    chosen = Client().post("/report/", {**form, "place_by": "text"})
    assert chosen.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.street == city.streets[0] and appeal.placement == "road"

    unknown = Client().post("/report/", {**form, "place_by": "elsewhere"})
    assert unknown.status_code == 400 and Appeal.objects.count() == 1
    assert 'data-testid="error-place_by"' in unknown.content.decode()
