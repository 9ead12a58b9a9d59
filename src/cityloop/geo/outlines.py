"""Beijing's 16 district outlines, as ECharts 4.9.0 ships them (`map/json/province/beijing.json`,
Apache-2.0; see docs/data-provenance.md), decoded from ECharts' compressed encoding.

The shipped file is the package's file byte for byte, so its provenance can be checked by
its hash; it is decoded when the demo city is built, not at every request.

The encoding (ECharts' `parseGeoJson.decode`): a feature collection marked `UTF8Encoding`
stores each ring as a string, two characters per point. Each character's code minus 64 is
a zigzag-encoded integer (0, -1, 1, -2, … as 0, 1, 2, 3, …); the integers are differences
from the previous point, the first from the ring's `encodeOffsets` pair; the running sums
divided by the scale (`UTF8Scale`, 1024 when absent) are longitude and latitude.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from cityloop.geo.geometry import Ring, ring_area

DEFAULT_SCALE = 1024
SOURCE = "data/echarts_beijing.json"


def _zigzag(n: int) -> int:
    return (n >> 1) ^ -(n & 1)


def decode_ring(
    encoded: str, offset: tuple[int, int] | list[int], scale: int = DEFAULT_SCALE
) -> Ring:
    x, y = offset[0], offset[1]
    ring: Ring = []
    for i in range(0, len(encoded) - 1, 2):
        x += _zigzag(ord(encoded[i]) - 64)
        y += _zigzag(ord(encoded[i + 1]) - 64)
        ring.append((x / scale, y / scale))
    return ring


def decode(collection: dict[str, Any]) -> dict[str, Any]:
    """A plain GeoJSON FeatureCollection from an ECharts-encoded one (a plain one is returned
    as it is). The input is not changed."""
    if not collection.get("UTF8Encoding"):
        return collection
    scale = collection.get("UTF8Scale") or DEFAULT_SCALE
    features = []
    for feature in collection["features"]:
        geometry = feature["geometry"]
        offsets = geometry["encodeOffsets"]
        if geometry["type"] == "Polygon":
            coordinates: list[Any] = [
                _closed(decode_ring(ring, offset, scale))
                for ring, offset in zip(geometry["coordinates"], offsets, strict=True)
            ]
        else:  # MultiPolygon
            coordinates = [
                [
                    _closed(decode_ring(ring, offset, scale))
                    for ring, offset in zip(polygon, polygon_offsets, strict=True)
                ]
                for polygon, polygon_offsets in zip(geometry["coordinates"], offsets, strict=True)
            ]
        features.append(
            {
                **feature,
                "geometry": {"type": geometry["type"], "coordinates": coordinates},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _closed(ring: Ring) -> Ring:
    return ring if not ring or ring[0] == ring[-1] else [*ring, ring[0]]


@cache
def district_outlines() -> dict[str, Ring]:
    """Division code → the district's outline. An area holds one ring, so a district drawn in
    several parts (朝阳区's enclave at the Capital Airport) keeps its largest part."""
    raw = json.loads(resources.files("cityloop.geo").joinpath(SOURCE).read_text("utf-8"))
    outlines = {}
    for feature in decode(raw)["features"]:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        outlines[str(feature["id"])] = max((p[0] for p in polygons), key=ring_area)
    return outlines
