"""Plane geometry on (lng, lat) rings: containment, an interior point for a label, and the
partition of an outline into cells (a Voronoi diagram clipped to the outline).

Rings are closed lists of (lng, lat) pairs (first point repeated last, as GeoJSON wants).
Distances are measured in kilometres near 40°N so cells come out round, not stretched
east–west as they would in raw degrees.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence

Point = tuple[float, float]
Ring = list[Point]

KM_PER_LNG = 85.0  # one degree of longitude at 40°N
KM_PER_LAT = 111.0


def point_in_ring(lng: float, lat: float, ring: Sequence[Sequence[float]]) -> bool:
    """Even–odd rule: a horizontal ray from the point crosses the ring an odd number of times."""
    inside = False
    x1, y1 = ring[-1][0], ring[-1][1]
    for point in ring:
        x2, y2 = point[0], point[1]
        if (y2 > lat) != (y1 > lat) and lng < (x1 - x2) * (lat - y2) / (y1 - y2) + x2:
            inside = not inside
        x1, y1 = x2, y2
    return inside


def bounds(ring: Sequence[Sequence[float]]) -> tuple[float, float, float, float]:
    """(west, south, east, north)."""
    lngs = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    return min(lngs), min(lats), max(lngs), max(lats)


def ring_area(ring: Sequence[Sequence[float]]) -> float:
    """Unsigned area in degrees² (shoelace); only compared with other rings' areas."""
    total = 0.0
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        total += x1 * y2 - x2 * y1
    return abs(total) / 2


def interior_point(ring: Sequence[Sequence[float]]) -> Point:
    """A point inside the ring for a label or a marker: the middle of the widest stretch of
    a horizontal line through the ring's middle latitude. A centroid can fall outside a
    concave outline (a crescent-shaped district); this point never does."""
    west, south, east, north = bounds(ring)
    best: tuple[float, Point] = (-1.0, ((west + east) / 2, (south + north) / 2))
    for fraction in (0.5, 0.4, 0.6, 0.3, 0.7):
        lat = south + (north - south) * fraction
        crossings = sorted(
            x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            for (x1, y1), (x2, y2) in itertools.pairwise(ring)
            if (y1 > lat) != (y2 > lat)
        )
        for left, right in zip(crossings[::2], crossings[1::2], strict=False):
            if right - left > best[0]:
                best = (right - left, ((left + right) / 2, lat))
    return best[1]


def random_point_in(rng: random.Random, ring: Sequence[Sequence[float]]) -> Point:
    """A uniformly random point inside the ring (rejection from its bounding box)."""
    west, south, east, north = bounds(ring)
    for _ in range(10_000):
        lng, lat = rng.uniform(west, east), rng.uniform(south, north)
        if point_in_ring(lng, lat, ring):
            return lng, lat
    return interior_point(ring)  # a sliver so thin that sampling misses it


def _km(p: Point) -> tuple[float, float]:
    return p[0] * KM_PER_LNG, p[1] * KM_PER_LAT


def _clip(ring: Ring, a: Point, b: Point) -> Ring:
    """Sutherland–Hodgman: the part of `ring` nearer to seed `a` than to seed `b`.

    On a concave ring the part may come in pieces; they stay one ring joined by
    zero-width edges along the bisector, which changes no point's containment."""
    ax, ay = _km(a)
    bx, by = _km(b)
    # nearer to a  ⇔  (p - m)·(b - a) < 0, m the midpoint
    nx, ny = bx - ax, by - ay
    mx, my = (ax + bx) / 2, (ay + by) / 2

    def side(p: Point) -> float:
        px, py = _km(p)
        return (px - mx) * nx + (py - my) * ny

    out: Ring = []
    points = ring[:-1]
    for i, current in enumerate(points):
        previous = points[i - 1]
        s_cur, s_prev = side(current), side(previous)
        if (s_cur < 0) != (s_prev < 0):
            t = s_prev / (s_prev - s_cur)
            out.append(
                (
                    previous[0] + t * (current[0] - previous[0]),
                    previous[1] + t * (current[1] - previous[1]),
                )
            )
        if s_cur < 0:
            out.append(current)
    if len(out) < 3:
        return []
    return [*out, out[0]]


def _reach(ring: Ring, seed: Point) -> float:
    """The farthest any point of the ring lies from the seed, in km²."""
    sx, sy = _km(seed)
    return max((x - sx) ** 2 + (y - sy) ** 2 for x, y in map(_km, ring))


def voronoi_cells(ring: Ring, seeds: Sequence[Point]) -> list[Ring]:
    """The outline cut into one cell per seed: every point of the outline lies in the cell
    of its nearest seed. Each seed inside the outline gets a cell that contains it."""
    cells = []
    for seed in seeds:
        sx, sy = _km(seed)
        others = sorted(
            (p for p in seeds if p != seed),
            key=lambda p: (_km(p)[0] - sx) ** 2 + (_km(p)[1] - sy) ** 2,
        )
        cell = ring
        for other in others:
            ox, oy = _km(other)
            # A seed farther than twice the cell's reach cannot cut it; nor can any after it.
            if ((ox - sx) ** 2 + (oy - sy) ** 2) / 4 > _reach(cell, seed):
                break
            cell = _clip(cell, seed, other)
        cells.append([(round(x, 6), round(y, 6)) for x, y in cell])
    return cells


def spread_seeds(rng: random.Random, ring: Ring, count: int) -> list[Point]:
    """`count` points inside the ring, spread evenly (a few rounds of k-means over random
    points inside), ordered north-west first so codes read like a map."""
    samples = [random_point_in(rng, ring) for _ in range(max(24, 12 * count))]
    flat = [_km(p) for p in samples]
    chosen = rng.sample(range(len(samples)), count)
    for _ in range(6):
        centres = [flat[i] for i in chosen]
        clusters: list[list[int]] = [[] for _ in centres]
        for index, (x, y) in enumerate(flat):
            distances = [(x - cx) ** 2 + (y - cy) ** 2 for cx, cy in centres]
            clusters[distances.index(min(distances))].append(index)
        for k, members in enumerate(clusters):
            if not members:
                continue
            mx = sum(flat[i][0] for i in members) / len(members)
            my = sum(flat[i][1] for i in members) / len(members)
            # The mean of a concave cluster can lie outside the ring; its nearest sample
            # does not.
            chosen[k] = min(members, key=lambda i: (flat[i][0] - mx) ** 2 + (flat[i][1] - my) ** 2)
    seeds = list(dict.fromkeys(samples[i] for i in chosen))
    while len(seeds) < count:  # two clusters collapsed onto one sample
        extra = random_point_in(rng, ring)
        if extra not in seeds:
            seeds.append(extra)
    return sorted(seeds, key=lambda p: (-round(p[1] * KM_PER_LAT / 3), p[0]))


def partition(rng: random.Random, ring: Ring, count: int) -> list[Ring]:
    """The ring cut into `count` cells of similar size that together cover it exactly."""
    if count == 1:
        return [ring]
    return voronoi_cells(ring, spread_seeds(rng, ring, count))
