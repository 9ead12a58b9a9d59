"""The demo city's layout: real districts and streets, tiles that never overlap."""

from __future__ import annotations

import csv
import random
from importlib import resources

import pytest

from cityloop.demo import geography, texts
from cityloop.geo.geometry import interior_point, point_in_ring, random_point_in
from cityloop.geo.outlines import district_outlines


@pytest.fixture(scope="module")
def full_city() -> geography.CityLayout:
    return geography.build_city(7)


def test_all_real_streets_with_their_codes(full_city):
    layout = full_city
    streets = {a.code: a.name for a in layout.by_level("street")}
    assert len(layout.by_level("district")) == 16
    assert len(streets) == 349
    assert streets["110101001"] == "东华门街道"
    assert len({a.code for a in layout.areas}) == len(layout.areas)


def test_same_seed_same_city_other_seed_other_city():
    one, two = geography.build_city(3, 2), geography.build_city(3, 2)
    assert one.areas == two.areas and one.addresses == two.addresses
    assert geography.build_city(4, 2).addresses != one.addresses


def test_grids_do_not_overlap_and_addresses_lie_in_their_grid():
    layout = geography.build_city(5, streets_per_district=2)
    for address in layout.addresses:
        assert geography.locate(layout, address.lat, address.lng) == address.grid_code
    grids = layout.by_level("grid")
    for grid in grids:
        lng, lat = interior_point(grid.polygon)
        inside = [g.code for g in grids if point_in_ring(lng, lat, g.polygon)]
        assert inside == [grid.code]


def test_every_point_of_a_district_lies_in_exactly_one_of_its_grids():
    layout = geography.build_city(5, streets_per_district=3)
    rng = random.Random(0)
    for district in layout.by_level("district"):
        grids = [g for g in layout.by_level("grid") if g.code.startswith(district.code)]
        for _ in range(25):
            lng, lat = random_point_in(rng, district.polygon)
            inside = [g.code for g in grids if point_in_ring(lng, lat, g.polygon)]
            assert len(inside) == 1, (district.name, lng, lat, inside)


def test_every_street_and_address_of_the_demo_city_lies_in_its_districts_real_outline(
    full_city,
):
    layout = full_city
    outlines = district_outlines()
    districts = {a.code: a for a in layout.by_level("district")}
    assert {code: list(d.polygon) for code, d in districts.items()} == outlines
    for street in layout.by_level("street"):
        outline = outlines[street.parent_code or ""]
        lng, lat = interior_point(street.polygon)  # where a map labels the street
        assert point_in_ring(lng, lat, street.polygon), street.name
        assert point_in_ring(lng, lat, outline), street.name
    first_of_each_grid = {a.grid_code: a for a in reversed(layout.addresses)}.values()
    for address in first_of_each_grid:
        assert point_in_ring(address.lng, address.lat, outlines[address.district_code])
    # 东城区 is where people know it: the heart of the city, around the Forbidden City
    dongcheng = [a for a in layout.addresses if a.district_code == "110101"]
    assert all(39.85 < a.lat < 39.98 and 116.37 < a.lng < 116.46 for a in dongcheng)


def test_profiles_use_the_official_taxonomy_and_seasons():
    text = resources.files("cityloop.taxonomy").joinpath("data/taxonomy.csv").read_text("utf-8")
    official = {tuple(row) for row in csv.reader(text.splitlines())}
    for profile in texts.CATEGORY_PROFILES:
        assert profile.path in official, profile.path
    heating = next(p for p in texts.CATEGORY_PROFILES if p.path[-1] == "冬季采暖")
    assert texts.seasonal_weight(heating, 1, 2) > 5 * texts.seasonal_weight(heating, 7, 2)


def test_appeal_text_names_the_place():
    layout = geography.build_city(1, streets_per_district=1)
    address = layout.addresses[0]
    profile = next(p for p in texts.CATEGORY_PROFILES if p.path[-1] == "冬季采暖")
    title, content = texts.compose_appeal(random.Random(1), profile, address, emergency=False)
    assert (title and address.road in content) or address.full_text in content
