"""Placing a text above the standard address (分级定位): a known road or place → its street,
a street or town named in the text, a district named in the text. Pure Python (no Django),
so it is tested and benchmarked without a database.

The roads and places are a table shipped with the package (geo/data/beijing_places.csv, see
docs/data-provenance.md): real Beijing roads and landmarks with the street (街道/乡镇) each
lies in, or only its district when it runs through several streets. Street and district
names come from the city's own areas, so a place found here is wired to an Area by name.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources

from cityloop.geo.address import normalize, parse_address

ROAD, POI, STREET, DISTRICT, CITY = "road", "poi", "street", "district", "city"
STREET_SUFFIXES = ("街道", "地区", "镇", "乡")
# Street stems that are everyday words or that many places share: only the full name
# (光明街道, 东风地区) counts as naming the street.
COMMON_STEMS = frozenset(
    {
        *("光明", "胜利", "新村", "东风", "向阳", "城关", "城北", "城南", "果园", "鼓楼"),
        *("新华", "北苑", "新镇", "星城", "迎风", "东湖", "和义", "双丰", "仁和", "荣华"),
        *("博兴", "清源", "兴丰", "滨河", "龙山", "泉河", "百泉", "儒林", "曙光", "东升"),
        *("永定", "龙泉", "城子", "古城", "八角", "老山", "广宁", "天桥", "安定", "温泉"),
        *("青塔", "南口", "中仓", "玉桥", "杨庄", "通运", "文景", "石园", "空港", "旺泉"),
        *("龙潭", "天坛", "前门", "金顶街", "北京经济技术开发区", "兴谷", "渔阳", "长阳"),
    }
)
# A district's short name ("朝阳") right before these is another place (朝阳门, 朝阳路).
NOT_AFTER_SHORT_DISTRICT = re.compile("门|路|街|大街|北路|南路|东路|西路|公园|区")
# A street stem right before a road kind or a gate is part of that road's name (清河路,
# 东四南大街, 德胜门内大街): it says nothing sure about the street.
_ROAD_KIND_AFTER = re.compile("[东西南北中]?(大街|大道|胡同|路|街|巷)|门")


@dataclass(frozen=True)
class KnownPlace:
    """A road or landmark of the shipped table; `street` is "" when it spans several."""

    name: str
    kind: str  # ROAD or POI
    street: str
    district: str


@dataclass
class TextPlace:
    """Where a text says the appeal is, at the finest level it supports."""

    level: str  # ROAD (a road or landmark gave the place), STREET, DISTRICT or CITY
    street: str = ""
    district: str = ""
    reasons: list[str] = field(default_factory=list)
    road_names: set[str] = field(default_factory=set)  # known roads/places the text names
    districts_named: set[str] = field(default_factory=set)
    outside: str = ""  # a province or city elsewhere that the text names

    def contradicts(self, street: str, district: str) -> bool:
        """Whether a place in (street, district) disagrees with what this text says."""
        if self.district and district and self.district != district:
            return True
        return bool(self.street and street and self.street != street)


def load_places() -> list[KnownPlace]:
    text = resources.files("cityloop.geo").joinpath("data/beijing_places.csv").read_text("utf-8")
    return [
        KnownPlace(r["name"], r["kind"], r["street"], r["district"])
        for r in csv.DictReader(text.splitlines())
    ]


def street_stem(name: str) -> str:
    for suffix in STREET_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name.removesuffix(suffix)
    return name


class Gazetteer:
    """Every name the fallback levels know, read from a text longest first."""

    def __init__(
        self,
        places: Iterable[KnownPlace],
        streets: Iterable[tuple[str, str]],  # (street name, district name) of the city
        districts: Iterable[str],
    ) -> None:
        # surface -> {(kind, street, district)}
        self._names: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
        for d in districts:
            self._names[d].add((DISTRICT, "", d))
            short = d.removesuffix("区").removesuffix("县")
            if len(short) >= 2:
                self._names[short].add((f"{DISTRICT}-short", "", d))
        short_names = {n for n, tags in self._names.items() if any(t[0] != DISTRICT for t in tags)}
        for street, district in streets:
            self._names[street].add((STREET, street, district))
            stem = street_stem(street)
            # "海淀" alone is the district, not 海淀街道
            usable = len(stem) >= 2 and stem not in COMMON_STEMS and stem not in short_names
            if stem != street and usable:
                self._names[stem].add((f"{STREET}-stem", street, district))
        for place in places:
            self._names[place.name].add((place.kind, place.street, place.district))
        lengths: dict[str, set[int]] = defaultdict(set)
        for name in self._names:
            lengths[name[0]].add(len(name))
        self._lengths = {first: sorted(ns, reverse=True) for first, ns in lengths.items()}

    def _scan(self, text: str) -> list[tuple[int, int, str]]:
        found, i = [], 0
        while i < len(text):
            for n in self._lengths.get(text[i], ()):
                if text[i : i + n] in self._names:
                    found.append((i, i + n, text[i : i + n]))
                    i += n
                    break
            else:
                i += 1
        return found

    def read(self, text: str) -> TextPlace:
        norm = normalize(text)
        parsed = parse_address(norm)
        place = TextPlace(CITY)
        if parsed.province and not parsed.province.startswith("北京"):
            place.outside = parsed.city or parsed.province
            place.reasons.append(f"地址在外省市（{place.outside}）")
            return place
        roads: list[tuple[str, set[tuple[str, str]]]] = []
        streets: list[tuple[str, set[tuple[str, str]]]] = []
        districts: list[str] = []
        if parsed.district:  # cpca: a district written in full ("朝阳区")
            districts.append(parsed.district)
        for _start, end, name in self._scan(norm):
            for kind, street, district in sorted(self._names[name]):
                if kind == DISTRICT:
                    districts.append(district)
                elif kind == f"{DISTRICT}-short":
                    if not NOT_AFTER_SHORT_DISTRICT.match(norm, end):
                        districts.append(district)
                elif kind == STREET:
                    streets.append((name, {(street, district)}))
                elif kind == f"{STREET}-stem":
                    if not _ROAD_KIND_AFTER.match(norm, end):
                        streets.append((name, {(street, district)}))
                else:
                    place.road_names.add(name)
                    roads.append((name, {(street, district)}))
        place.districts_named = set(districts)
        streets = _merge(streets)
        roads = _merge(roads)
        if _settle(place, roads, ROAD, "道路/地标"):
            _prefer_named_street(place, streets)
            return place
        place.level = CITY
        if _settle(place, streets, STREET, "街道/乡镇"):
            return place
        if districts:
            place.level, place.district = DISTRICT, districts[0]
            others = [d for d in dict.fromkeys(districts) if d != districts[0]]
            note = f"（另提到{'、'.join(others)}）" if others else ""
            place.reasons.append(f"区名“{districts[0]}”{note}")
        return place


def _merge(
    hits: list[tuple[str, set[tuple[str, str]]]],
) -> list[tuple[str, set[tuple[str, str]]]]:
    merged: dict[str, set[tuple[str, str]]] = {}
    for name, where in hits:
        merged.setdefault(name, set()).update(where)
    return list(merged.items())


def _settle(
    place: TextPlace, hits: list[tuple[str, set[tuple[str, str]]]], level: str, what: str
) -> bool:
    """Place by these hits when they agree (after the districts the text names), at the
    street when they agree on one, else at the district when they agree on one."""
    candidates: list[tuple[str, tuple[str, str]]] = []
    for name, where in hits:
        kept = {w for w in where if not place.districts_named or w[1] in place.districts_named}
        if not kept:
            place.reasons.append(f"{what}“{name}”不在所填的区，未采用")
        candidates.extend((name, w) for w in kept)
    if not candidates:
        return False
    names = "、".join(dict.fromkeys(name for name, _ in candidates))
    found_streets = {w for _, w in candidates if w[0]}
    found_districts = {w[1] for _, w in candidates}
    if len(found_streets) == 1 and len(found_districts) == 1:
        place.street, place.district = next(iter(found_streets))
        place.level = level
        place.reasons.append(f"{what}“{names}”位于{place.district}{place.street}")
        return True
    if len(found_districts) == 1:  # the place reached is the district, whatever the evidence
        place.district = next(iter(found_districts))
        place.level = DISTRICT
        spans = "跨多个街道" if len(found_streets) != 1 else "街道不确定"
        place.reasons.append(f"{what}“{names}”位于{place.district}（{spans}）")
        return True
    place.reasons.append(f"{what}“{names}”在多个区都有，无法确定")
    return False


def _prefer_named_street(place: TextPlace, streets: list[tuple[str, set[tuple[str, str]]]]) -> None:
    """A street the text names outright beats the table's street for a road of the same
    district: roads cross street boundaries, and the caller knows which side they are on."""
    named = {w[0] for _, where in streets for w in where if w[1] == place.district}
    if len(named) == 1 and place.street not in named:
        place.street = next(iter(named))
        place.level = STREET
        place.reasons.append(f"文中写明{place.street}，以其为准")
