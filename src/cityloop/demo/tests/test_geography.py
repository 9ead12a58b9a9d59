"""The demo city's layout: real districts and streets, tiles that never overlap."""

from __future__ import annotations

import csv
from importlib import resources

from cityloop.demo import geography, texts


def test_all_real_streets_with_their_codes():
    layout = geography.build_city(7)
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
        (west, south), (east, north) = grid.polygon[0], grid.polygon[2]
        centre = ((south + north) / 2, (west + east) / 2)
        inside = [g.code for g in grids if geography.point_in_ring(centre[1], centre[0], g.polygon)]
        assert inside == [grid.code]


def test_profiles_use_the_official_taxonomy_and_seasons():
    text = resources.files("cityloop.taxonomy").joinpath("data/taxonomy.csv").read_text("utf-8")
    official = {tuple(row) for row in csv.reader(text.splitlines())}
    for profile in texts.CATEGORY_PROFILES:
        assert profile.path in official, profile.path
    heating = next(p for p in texts.CATEGORY_PROFILES if p.path[-1] == "冬季采暖")
    assert texts.seasonal_weight(heating, 1, 2) > 5 * texts.seasonal_weight(heating, 7, 2)


def test_appeal_text_names_the_place():
    import random

    layout = geography.build_city(1, streets_per_district=1)
    address = layout.addresses[0]
    profile = next(p for p in texts.CATEGORY_PROFILES if p.path[-1] == "冬季采暖")
    title, content = texts.compose_appeal(random.Random(1), profile, address, emergency=False)
    assert (title and address.road in content) or address.full_text in content
