"""Beijing's district outlines decoded from ECharts' compressed encoding: the decoder on a
string worked out by hand, and places everyone knows falling in their real district."""

from __future__ import annotations

import csv
import hashlib
from importlib import resources

import pytest

from cityloop.geo.geometry import interior_point, point_in_ring
from cityloop.geo.outlines import SOURCE, decode, decode_ring, district_outlines

# map/json/province/beijing.json as `npm pack echarts@4.9.0` ships it (docs/data-provenance.md)
ECHARTS_BEIJING_SHA256 = "f21965a667fbe4d33bbf258cbea7f1a9260cdabfd92de598adb6a689e9519b01"


def test_decoding_a_ring_worked_out_by_hand():
    # '@' is 64 → 0; 'D' → 4 → zigzag +2; 'B' → 2 → +1; 'A' → 1 → -1; 'C' → 3 → -2
    ring = decode_ring("@@DBAC", [1024 * 116, 1024 * 40])
    assert ring == [(116.0, 40.0), (116 + 2 / 1024, 40 + 1 / 1024), (116 + 1 / 1024, 40 - 1 / 1024)]
    assert decode_ring("@@DB", [200, 100], scale=100) == [(2.0, 1.0), (2.02, 1.01)]


def test_a_plain_collection_is_returned_as_it_is_and_an_encoded_one_is_not_changed():
    plain = {"type": "FeatureCollection", "features": []}
    assert decode(plain) is plain
    encoded = {
        "type": "FeatureCollection",
        "UTF8Encoding": True,
        "features": [
            {
                "id": "1",
                "type": "Feature",
                "properties": {"name": "甲"},
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": [["@@D@@D"]],
                    "encodeOffsets": [[[1024, 2048]]],
                },
            }
        ],
    }
    decoded = decode(encoded)
    assert decoded["features"][0]["geometry"] == {
        "type": "MultiPolygon",
        "coordinates": [[[(1.0, 2.0), (1 + 2 / 1024, 2.0), (1 + 2 / 1024, 2 + 2 / 1024), (1, 2)]]],
    }
    assert decoded["features"][0]["properties"] == {"name": "甲"}
    assert encoded["features"][0]["geometry"]["coordinates"] == [["@@D@@D"]]


def test_the_shipped_file_is_echarts_own():
    data = resources.files("cityloop.geo").joinpath(SOURCE).read_bytes()
    assert hashlib.sha256(data).hexdigest() == ECHARTS_BEIJING_SHA256


def test_the_sixteen_districts_are_the_ones_of_the_division_codes():
    outlines = district_outlines()
    streets = resources.files("cityloop.geo").joinpath("data/beijing_streets.csv")
    codes = {row["areaCode"] for row in csv.DictReader(streets.read_text("utf-8").splitlines())}
    assert set(outlines) == codes
    for code, ring in outlines.items():
        assert ring[0] == ring[-1] and len(ring) > 50, code
        assert point_in_ring(*interior_point(ring), ring), code


@pytest.mark.parametrize(
    ("place", "lng", "lat", "district"),
    [
        ("天安门", 116.3975, 39.9087, "110101"),  # 东城区
        ("西单", 116.3736, 39.9066, "110102"),  # 西城区
        ("国贸", 116.4610, 39.9090, "110105"),  # 朝阳区
        ("中关村", 116.3160, 39.9830, "110108"),  # 海淀区
        ("八达岭长城", 116.0160, 40.3560, "110119"),  # 延庆区
        ("通州区政府", 116.6570, 39.9100, "110112"),  # 通州区
        ("黄村（大兴区政府）", 116.3380, 39.7270, "110115"),  # 大兴区
    ],
)
def test_a_known_place_lies_in_its_district_and_no_other(place, lng, lat, district):
    inside = [code for code, ring in district_outlines().items() if point_in_ring(lng, lat, ring)]
    assert inside == [district], place
