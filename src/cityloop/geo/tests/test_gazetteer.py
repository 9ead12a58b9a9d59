"""The shipped table of real roads and places, and reading a text level by level."""

from __future__ import annotations

import csv
from importlib import resources
from types import SimpleNamespace

import pytest

from cityloop.geo.gazetteer import Gazetteer, load_places

STREETS = [
    SimpleNamespace(name=row["name"], district_name=row["areaName"])
    for row in csv.DictReader(
        resources.files("cityloop.geo").joinpath("data/beijing_streets.csv").open(encoding="utf-8")
    )
]


@pytest.fixture(scope="module")
def beijing() -> Gazetteer:
    return Gazetteer(
        load_places(),
        [(s.name, s.district_name) for s in STREETS],
        {s.district_name for s in STREETS},
    )


def test_every_place_names_a_real_street_of_its_district():
    known = {(s.name, s.district_name) for s in STREETS}
    districts = {s.district_name for s in STREETS}
    places = load_places()
    assert len(places) >= 200
    assert len({p.name for p in places}) == len(places), "one row per name"
    for place in places:
        assert place.kind in ("road", "poi"), place
        assert place.district in districts, place
        assert not place.street or (place.street, place.district) in known, place


@pytest.mark.parametrize(
    ("text", "level", "street", "district"),
    [
        ("景山前街4号", "road", "东华门街道", "东城区"),
        ("中关村大街27号", "road", "中关村街道", "海淀区"),
        ("建国门外大街1号", "road", "建外街道", "朝阳区"),
        ("朝阳区望京", "street", "望京街道", "朝阳区"),
        ("顺义龙湾屯", "street", "龙湾屯镇", "顺义区"),
        ("海淀区八里庄", "street", "八里庄街道", "海淀区"),  # 八里庄 is also in 朝阳区
        ("天通苑小区", "district", "", "昌平区"),  # 天通苑 spans two streets
        ("东城区景山前街那边，景山街道", "street", "景山街道", "东城区"),  # named street wins
        ("海淀有个胡同", "district", "", "海淀区"),
        ("八里庄", "city", "", ""),  # two districts have one: not guessed
        ("河北省廊坊市广阳区", "city", "", ""),
        ("朝阳门那边", "street", "朝阳门街道", "东城区"),  # not 朝阳区
        ("公司拖欠工资", "city", "", ""),
    ],
)
def test_reading_a_text(beijing, text, level, street, district):
    place = beijing.read(text)
    assert (place.level, place.street, place.district) == (level, street, district)


def test_a_road_in_another_district_than_the_one_named_is_not_used(beijing):
    place = beijing.read("海淀区王府井大街")
    assert (place.level, place.district) == ("district", "海淀区")
    assert any("不在所填的区" in r for r in place.reasons)
