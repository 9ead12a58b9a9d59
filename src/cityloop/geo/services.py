"""Point → grid lookup and walking the area tree."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cityloop.geo.geometry import interior_point, point_in_ring
from cityloop.geo.models import Area, AreaLevel, StandardAddress
from cityloop.kernel.cache import config_cache, forget_on_change


def locate(lat: float, lng: float) -> Area | None:
    """The grid containing the point, or None when it is outside every grid."""
    candidates = Area.objects.filter(
        level=AreaLevel.GRID,
        min_lng__lte=lng,
        max_lng__gte=lng,
        min_lat__lte=lat,
        max_lat__gte=lat,
    ).select_related("parent__parent__parent")
    for grid in candidates:
        if grid.polygon and point_in_ring(lng, lat, grid.polygon):
            return grid
    return None


@config_cache
def areas_by_id() -> dict[int, Area]:
    """Every area without its outline, by id (cached per process)."""
    return {a.pk: a for a in Area.objects.defer("polygon")}


def ancestors(area: Area, known: dict[int, Area] | None = None) -> list[Area]:
    """The area itself and every area above it, nearest first (from the cached tree, or
    the `known` one given)."""
    known = areas_by_id() if known is None else known
    chain: list[Area] = [area]
    parent_id = area.parent_id
    while parent_id is not None:
        parent = known.get(parent_id) or Area.objects.defer("polygon").get(pk=parent_id)
        chain.append(parent)
        parent_id = parent.parent_id
    return chain


def ancestor_at(area: Area | None, level: str, known: dict[int, Area] | None = None) -> Area | None:
    if area is None:
        return None
    for node in ancestors(area, known):
        if node.level == level:
            return node
    return None


def areas_geojson(level: str, within: str | None = None) -> dict[str, Any]:
    """The city's own areas as GeoJSON: maps need no tile server."""
    areas = Area.objects.filter(level=level).select_related("parent")
    if within:
        areas = areas.filter(code__startswith=within)
    if level == AreaLevel.GRID and not within:
        areas = areas[:5000]
    return feature_collection(areas, digits=5)


@config_cache
def district_map() -> dict[str, Any]:
    """The districts every map draws under its own layers, embedded in the page. Four
    decimals (about 10 m) keep the page small and lose nothing of the shipped outlines,
    whose points lie on a 1/1024° (about 100 m) lattice."""
    return feature_collection(Area.objects.filter(level=AreaLevel.DISTRICT), digits=4)


def feature_collection(areas: Iterable[Area], digits: int) -> dict[str, Any]:
    """Areas as a GeoJSON FeatureCollection, each with its name, its parent's and a label point."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": a.code,
                "properties": {
                    "code": a.code,
                    "name": a.name,
                    "level": a.level,
                    "parent": _parent_name(a),
                    # where a map writes the name: inside the outline even when it is concave
                    "label": [round(v, digits) for v in interior_point(a.polygon)],
                },
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[round(x, digits), round(y, digits)] for x, y in a.polygon]],
                },
            }
            for a in areas
            if a.polygon
        ],
    }


def _parent_name(area: Area) -> str:
    """A street's district, a grid's community… (a district's city goes without saying)."""
    if area.level in (AreaLevel.CITY, AreaLevel.DISTRICT) or area.parent is None:
        return ""
    return area.parent.name


def place_names(lat: float, lng: float) -> dict[str, str] | None:
    """What a map says about a point instead of its coordinates: its district, street and
    grid (None outside every grid)."""
    grid = locate(lat, lng)
    if grid is None:
        return None
    names = {node.level: node.name for node in ancestors(grid)}
    return {
        "district": names.get(AreaLevel.DISTRICT, ""),
        "street": names.get(AreaLevel.STREET, ""),
        "grid": grid.name,
    }


forget_on_change(Area, StandardAddress)
