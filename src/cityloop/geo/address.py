"""Address understanding for appeal texts, in pure Python (no Django) so it can be tested and
benchmarked without a database.

- `parse_address` pulls the parts of a free-text Chinese address out of an appeal: cpca for
  province/city/district, rules for street, road, door number, building and landmark.
- `AddressMatcher` places a text on the standard address library. It reads the text with the
  library's own vocabulary (every known road, street, district and landmark), so it does not
  depend on where a rule thinks a name starts, then tolerates road-kind variants (光华路 ~
  光华街 ~ 光华大街), 号/号院, a one-character typo in a road name and missing district/street.

Over 400 lines on purpose: the parser and the matcher share one vocabulary and its
normalisation, and are read, tested (geo/tests/test_address.py) and benchmarked together.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import warnings
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

HOME_PROVINCE_CODE = "11"  # the hotline's own city (Beijing): a bare "朝阳区" means Beijing's
MIN_SCORE = 0.3  # below this the evidence is too thin to propose an address at all

# Longest first: "大街" must win over "街", "胡同" has no shorter form.
ROAD_KINDS = ("大街", "大道", "胡同", "路", "街", "巷", "道", "里")
# "道" and "里" end everyday words (知道, 楼道, 家里, 小区里): a rule accepts them only before a
# door number; the matcher only when the library knows the name.
WEAK_KINDS = frozenset({"道", "里"})
KIND_FAMILY = {"路": 0, "街": 0, "大街": 0, "大道": 0, "道": 0, "胡同": 1, "巷": 1, "里": 1}
DIRECTIONS = "东西南北中"
STREET_KINDS = ("街道", "地区", "镇", "乡")
NOT_STREET = ("城乡", "家乡", "老乡", "下乡", "故乡", "城镇", "乡镇", "村镇")
# Words that end the text before a name ("我家住在|光华路"); a name never starts with them.
FILLERS = (
    *("我家住在", "家住", "住在", "我住", "我家", "我们", "位于", "在", "那边", "这边"),
    *("附近", "旁边", "对面", "门口", "和", "与", "跟", "及", "到", "从", "的", "是", "就"),
)

_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千]+(?=号|单元|室|栋|幢|层)")
# "3号楼" is a building, but "193号楼下垃圾" is door 193 and "downstairs": read both ways, and
# let the building search start after the door so the same digits are not used twice.
_DOOR = re.compile(r"(\d+)号(院)?(?!线|房)(?!楼(?![下上前后里顶道]))")
_BUILDING = re.compile(r"(\d+)(?:号楼|栋|幢|座)")
_UNIT_ROOM = re.compile(r"\d+(?:单元|室|号房)")
_ROAD_KIND = re.compile("|".join(ROAD_KINDS))
_STREET_KIND = re.compile("|".join(STREET_KINDS))
_LANDMARK_KIND = re.compile(
    "社区卫生服务站|人民医院|医院|菜市场|市场|地铁站|公交站|小区|中学|小学|幼儿园|公园|超市"
    "|广场|大厦|商场|银行"
)
_NOT_ROAD = re.compile(r"条|^[这那哪每整一]")  # "这条路", "一条街"
_JUNCTION = re.compile(r"[和与跟及、/]")
_JUNCTION_END = re.compile(r"交叉口|十字路口|丁字路口|路口|交口|交汇处")
_PUNCT = ",.;:!?，。；：！？、 的"


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def _cn_to_int(numeral: str) -> int:
    if not any(c in _CN_UNITS for c in numeral):  # "一零一" is read digit by digit
        return int("".join(str(_CN_DIGITS[c]) for c in numeral))
    total = current = 0
    for char in numeral:
        if char in _CN_UNITS:
            total += (current or 1) * _CN_UNITS[char]
            current = 0
        else:
            current = _CN_DIGITS[char]
    return total + current


def normalize(text: str) -> str:
    """Full-width to half-width, no spaces, "12#" as "12号", "十二号" as "12号"."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).replace("#", "号")
    return _CN_NUMBER.sub(lambda m: str(_cn_to_int(m.group())), text)


def _stem_start(text: str, end: int, max_len: int = 6) -> int | None:
    """Where the name that ends at `end` starts: the Han run before it, after the last filler
    that still leaves two characters (so "和平路" keeps its "和"); None under two, or when a
    filler comes right before the end."""
    start = end
    while start > 0 and end - start < max_len and _is_han(text[start - 1]):
        start -= 1
    if any(text.endswith(filler, start, end) for filler in FILLERS):
        return None  # "门口的路灯": nothing is named "…的路"
    cut = start
    for i in range(start, end - 1):
        for filler in FILLERS:
            if text.startswith(filler, i) and end - (i + len(filler)) >= 2:
                cut = max(cut, i + len(filler))
    return cut if end - cut >= 2 else None


def _split_road(road: str) -> tuple[str, str, str]:
    """光华东路 -> (光华, 东, 路); a road of no known kind is all stem."""
    for kind in ROAD_KINDS:
        if road.endswith(kind) and len(road) > len(kind):
            body = road[: -len(kind)]
            if len(body) >= 3 and body[-1] in DIRECTIONS:
                return body[:-1], body[-1], kind
            return body, "", kind
    return road, "", ""


def _road_kind_at(text: str, pos: int) -> bool:
    """Whether a road kind ("路", or "东路" with a direction) starts at `pos`."""
    if text[pos : pos + 1] and text[pos] in DIRECTIONS:
        pos += 1
    return _ROAD_KIND.match(text, pos) is not None


def _digits(part: str) -> str:
    found = re.match(r"\d+", normalize(part))
    return found.group() if found else ""


def _numbers(text: str, after: int) -> tuple[re.Match[str] | None, re.Match[str] | None]:
    """The door number nearest after `after` (the road), else the first; then the building."""
    doors = list(_DOOR.finditer(text))
    door = next((m for m in doors if m.start() >= after), doors[0] if doors else None)
    building = _BUILDING.search(text, door.end() if door else after)
    return door, building


@functools.cache
def _cpca() -> tuple[Any, dict[str, str]]:
    """cpca builds its automaton at import (~0.4 s), so load it on first use only."""
    with warnings.catch_warnings():  # its data loader still imports pkg_resources
        warnings.simplefilter("ignore")
        import cpca
    home = {
        info.name: info.adcode
        for info in cpca.ad_2_addr_dict.values()
        if info.adcode.startswith(HOME_PROVINCE_CODE) and info.rank == 2
    }
    return cpca, home


def _region(text: str) -> tuple[str, str, str, int, int] | None:
    """(province, city, district, start, end) from cpca, or None.

    cpca matches abbreviations ("朝阳" for 辽宁省朝阳市, "延吉" for 延吉市) inside road names,
    so away from the home city a name must be written in full; and a bare district name
    defaults to the first one in its table (吉林省长春市朝阳区), hence `umap` with ours."""
    cpca, home = _cpca()
    # The generator yields a new record when a later name does not belong under the earlier
    # one ("朝阳路…，东城区"), so a rejected abbreviation does not hide the real district.
    for rec in cpca._extract_addrs(text, True, home, new_entry_when_not_belong=True):
        code, county = rec["adcode"], rec["区"]
        if not code:
            continue
        names = [(rec["省"], rec["省_pos"]), (rec["市"], rec["市_pos"]), (county, rec["区_pos"])]
        written = [n for n, pos in names if n and pos >= 0 and text.startswith(n, pos)]
        if county and county not in written:
            continue
        if not county and not written and not code.startswith(HOME_PROVINCE_CODE):
            continue
        province = rec["省"] or ""
        city = province if rec["市"] in (None, "市辖区") else rec["市"]
        start = min(pos for _, pos in names if pos >= 0)
        return province, city, county or "", start, len(text) - len(rec["地址"] or "")
    return None


@dataclass
class ParsedAddress:
    province: str = ""
    city: str = ""
    district: str = ""
    street: str = ""
    road: str = ""
    number: str = ""  # door number as written: "12号", "12号院"
    building: str = ""  # building, unit and room: "3号楼2单元301室"
    landmark: str = ""  # "光华公交站", or a junction: "光华路和建国路交叉口"
    remainder: str = ""  # the text after the address: what the appeal is about
    confidence: float = 0.0  # how much of an address was found, 0–1


def parse_address(text: str) -> ParsedAddress:
    """The address parts of a free-text appeal; parts not found are ""."""
    norm = normalize(text)
    work = list(norm)  # found parts are blanked out, so later rules see them as boundaries
    spans: list[tuple[int, int]] = []
    result = ParsedAddress()

    def take(start: int, end: int) -> str:
        spans.append((start, end))
        work[start:end] = "|" * (end - start)
        return norm[start:end]

    region = _region(norm)
    if region:
        result.province, result.city, result.district = region[:3]
        take(region[3], region[4])
    for m in _STREET_KIND.finditer(norm):
        start = _stem_start("".join(work), m.start())
        name = norm[start : m.end()] if start is not None else ""
        if name and not any(name.endswith(w) or name.startswith(w) for w in NOT_STREET):
            result.street = take(start or 0, m.end())
            break
    roads: list[tuple[int, int]] = []
    for m in _ROAD_KIND.finditer("".join(work)):
        start = _stem_start("".join(work), m.start())
        weak = m.group() in WEAK_KINDS and not _DOOR.match(norm, m.end())
        if start is not None and not weak and not _NOT_ROAD.search(norm[start : m.start()]):
            take(start, m.end())
            roads.append((start, m.end()))
    if roads:
        result.road = norm[roads[0][0] : roads[0][1]]
        if len(roads) > 1 and _JUNCTION.fullmatch(norm[roads[0][1] : roads[1][0]]):
            end = _JUNCTION_END.match(norm, roads[1][1])
            if end:
                result.landmark = norm[roads[0][0] : end.end()]
                spans.append((roads[0][0], end.end()))
    door, building = _numbers(norm, roads[0][1] if roads else 0)
    if door:
        result.number = take(door.start(), door.end())
    if building:
        result.building = take(building.start(), building.end())
    last_number = building or door
    for m in _UNIT_ROOM.finditer(norm, last_number.end() if last_number else 0):
        if last_number and m.start() != spans[-1][1]:
            break  # a unit or room belongs to the number right before it
        result.building += take(m.start(), m.end())
    if not result.landmark:
        for m in _LANDMARK_KIND.finditer("".join(work)):
            start = _stem_start("".join(work), m.start())
            if start is not None:
                result.landmark = take(start, m.end())
                break
            if any(end == m.start() for _, end in roads):  # "光华路公交站"
                result.landmark = norm[roads[0][0] : m.end()]
                spans.append((roads[0][0], m.end()))
                break
    last = max((end for _, end in spans), default=0)
    result.remainder = norm[last:].lstrip(_PUNCT) if spans else norm
    weights = {"district": 0.15, "street": 0.15, "road": 0.35, "number": 0.25, "building": 0.1}
    score = sum(w for name, w in weights.items() if getattr(result, name))
    if result.landmark and not result.road:
        score += 0.3
    result.confidence = round(min(1.0, score), 2)
    return result


@dataclass(frozen=True)
class AddressEntry:
    code: str
    full_text: str
    district: str = ""
    street: str = ""
    road: str = ""
    number: str = ""
    building: str = ""
    landmark: str = ""


@dataclass
class AddressMatch:
    code: str
    score: float  # 0–1; discounted when other candidates are just as good
    reasons: list[str] = field(default_factory=list)


# Evidence weights: a full, exact address sums to 1.0; road and door number dominate because
# they are what a caller says most reliably. A landmark alone is weak (many doors share it).
W_ROAD, W_DOOR, W_BUILDING, W_STREET, W_STREET_STEM, W_DISTRICT = 0.5, 0.25, 0.1, 0.1, 0.08, 0.05
W_LANDMARK, W_LANDMARK_WITH_ROAD = 0.45, 0.1
P_DOOR, P_BUILDING, P_STREET, P_DISTRICT = 0.15, 0.05, 0.1, 0.1
# "58号" fits "58号" better than "58号院14号楼": a small penalty for a shape the text did not
# have (yard, building) settles such ties without outweighing any real evidence.
P_SHAPE = 0.02
TYPO_FACTOR = 0.8  # a road found only with one character changed
_ONE_EDIT: dict[str, Any] = {"scorer": Levenshtein.distance, "score_cutoff": 1, "limit": None}
# Bounds that keep a match fast on odd texts: fuzzy look-ups per text, and houses scored when
# no door number narrows the roads down (then every house of a road ties anyway).
MAX_FUZZY, MAX_HOUSES = 24, 600


@dataclass(frozen=True)
class _Row:
    code: str
    district: str
    street: str
    road: str
    door: str
    yard: bool
    building: str
    landmark: str


@dataclass
class _Query:
    """What a text says, in the library's terms."""

    text: str
    roads: dict[str, float] = field(default_factory=dict)  # library road -> similarity
    named: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    blocked: list[tuple[int, int]] = field(default_factory=list)  # non-road names' spans
    road_end: int = 0
    door: str = ""
    yard: bool = False
    building: str = ""


class AddressMatcher:
    """An index over a standard address library; `match` places a free text on it."""

    def __init__(self, entries: Iterable[AddressEntry], min_score: float = MIN_SCORE) -> None:
        self.min_score = min_score
        self.rows: list[_Row] = []
        # Houses by ("road", road), ("door", road, door), ("street", …), ("district", …), …
        self._by: dict[tuple[str, ...], list[int]] = defaultdict(list)
        self._roads_by_stem: dict[str, set[str]] = defaultdict(set)
        self._road_parts: dict[str, tuple[str, str, str]] = {}
        # Every name the library knows, for reading texts: surface -> {(tag, canonical)}.
        self._names: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for i, entry in enumerate(entries):
            row = _Row(
                *(entry.code, entry.district, entry.street, entry.road),
                *(_digits(entry.number), "院" in entry.number, _digits(entry.building)),
                entry.landmark,
            )
            self.rows.append(row)
            for tag in ("district", "street", "road", "landmark"):
                if name := getattr(row, tag):
                    self._by[tag, name].append(i)
                    self._names[name].add((tag, name))
            self._by["door", row.road, row.door].append(i)
            self._road_parts[row.road] = parts = _split_road(row.road)
            self._roads_by_stem[parts[0]].add(row.road)
            stem = re.sub("(" + "|".join(STREET_KINDS) + ")$", "", row.street)
            if len(stem) >= 2 and stem != row.street:
                self._names[stem].add(("street_stem", row.street))
        self._stems = [s for s in self._roads_by_stem if len(s) >= 2]
        lengths: dict[str, set[int]] = defaultdict(set)
        for name in self._names:
            lengths[name[0]].add(len(name))
        self._lengths = {first: sorted(ns, reverse=True) for first, ns in lengths.items()}

    def __len__(self) -> int:
        return len(self.rows)

    def _scan(self, text: str) -> list[tuple[int, int, set[tuple[str, str]]]]:
        """Known names in the text, longest first and not overlapping, so "学院路街道" is a
        street rather than the road "学院路", and "建外路" a road rather than "建外"."""
        found, i = [], 0
        while i < len(text):
            for n in self._lengths.get(text[i], ()):
                tags = self._names.get(text[i : i + n])
                if tags:
                    found.append((i, i + n, tags))
                    i += n
                    break
            else:
                i += 1
        return found

    def _sim(self, stem_factor: float, qdir: str, qkind: str, road: str) -> float:
        _, rdir, rkind = self._road_parts[road]
        dir_factor = 1.0 if qdir == rdir else 0.8 if not (qdir and rdir) else 0.5
        if qkind == rkind:
            kind_factor = 1.0
        else:
            same_family = KIND_FAMILY.get(qkind, -1) == KIND_FAMILY.get(rkind, -2)
            kind_factor = 0.9 if same_family else 0.6
        return stem_factor * dir_factor * kind_factor

    def _roads(self, text: str, blocked: list[tuple[int, int]], fuzzy: bool) -> dict[str, float]:
        """Library roads a road-like phrase in the text may mean, with a similarity: the phrase
        is a known stem (or, when `fuzzy`, one character off one) before a road kind."""
        roads: dict[str, float] = {}
        seen: set[tuple[str, str, str]] = set()
        inside = [False] * len(text)
        for start, end in blocked:
            inside[start:end] = [True] * (end - start)
        run = [0] * (len(text) + 1)  # run[i]: Han characters just before i, outside `blocked`
        for i, char in enumerate(text):
            run[i + 1] = run[i] + 1 if _is_han(char) and not inside[i] else 0
        for m in _ROAD_KIND.finditer(text):
            p, kind = m.start(), m.group()
            if inside[p] or (fuzzy and kind in WEAK_KINDS):
                continue
            has_dir = run[p] >= 3 and text[p - 1] in DIRECTIONS
            for end, qdir in [(p - 1, text[p - 1]), (p, "")] if has_dir else [(p, "")]:
                for size in range(2, min(run[end], 4 if fuzzy else 5) + 1):
                    window = text[end - size : end]
                    if not fuzzy:
                        stems = [(window, 1.0)] if window in self._roads_by_stem else []
                    elif (window, qdir, kind) not in seen and len(seen) < MAX_FUZZY:
                        seen.add((window, qdir, kind))
                        near = process.extract(window, self._stems, **_ONE_EDIT)
                        stems = [(stem, TYPO_FACTOR) for stem, _, _ in near]
                    for stem, factor in stems:
                        for road in self._roads_by_stem[stem]:
                            sim = self._sim(factor, qdir, kind, road)
                            roads[road] = max(roads.get(road, 0.0), sim)
        return roads

    def match(self, text: str, limit: int = 3) -> list[AddressMatch]:
        """The best library addresses for a text, best first; [] when nothing is likely."""
        query = self._read(normalize(text))
        scored = [self._score(i, query) for i in self._candidates(query)]
        scored = [s for s in scored if s[0] >= self.min_score]
        scored.sort(key=lambda s: (-s[0], s[1]))
        if not scored:
            return []
        # Equally good candidates cannot be told apart: say so, and lower the score so that a
        # caller's "sure enough" threshold does not pick one of them blindly.
        ties = sum(1 for s in scored if s[0] >= scored[0][0] - 1e-9)
        discount = 1 / (1 + 0.5 * (min(ties, 5) - 1))  # two: 2/3, five or more: 1/3
        results = []
        for score, i, reasons in scored[:limit]:
            if ties > 1 and score >= scored[0][0] - 1e-9:
                score *= discount
                reasons = [*reasons, f"另有{ties - 1}个同分候选"]
            results.append(AddressMatch(self.rows[i].code, round(score, 3), reasons))
        return results

    def _read(self, norm: str) -> _Query:
        query = _Query(norm)
        found = self._scan(norm)
        for start, end, tags in found:
            for tag, name in tags:
                # "滨河街" is a road even though 滨河街道 exists: a stem before a road kind is
                # part of the road's name, not a mention of the street.
                if tag == "street_stem" and _road_kind_at(norm, end):
                    continue
                query.named[tag].add(name)
                if tag != "road" and tag != "street_stem":
                    query.blocked.append((start, end))
                if tag == "road":
                    query.roads[name] = 1.0
                    query.road_end = max(query.road_end, end)
        for road, sim in self._roads(norm, query.blocked, fuzzy=False).items():
            query.roads[road] = max(query.roads.get(road, 0.0), sim)
        door, building = _numbers(norm, query.road_end)
        if door:
            query.door, query.yard = door.group(1), bool(door.group(2))
        query.building = building.group(1) if building else ""
        return query

    def _candidates(self, q: _Query) -> set[int]:
        def houses(roads: Iterable[str]) -> list[int]:
            return [i for r in roads for i in self._by.get(("road", r), ())]

        if q.door or not q.roads:
            # Typos are looked for only with a door number to confirm them (or nothing else to
            # go on): a one-character neighbour of a two-character stem is often another road.
            for road, sim in self._roads(q.text, q.blocked, fuzzy=True).items():
                q.roads.setdefault(road, sim)
        ids = {i for r in q.roads for i in self._by.get(("door", r, q.door), ())}
        if not ids and len(all_houses := houses(q.roads)) <= MAX_HOUSES:
            ids = set(all_houses)
        elif not ids:  # every house of these roads would tie: keep the named area's, or exact
            area = [i for s in q.named["street"] for i in self._by["street", s]] or [
                i for d in q.named["district"] for i in self._by["district", d]
            ]
            ids = {i for i in area if self.rows[i].road in q.roads}
            ids = ids or set(houses(r for r, sim in q.roads.items() if sim >= 1))
        for landmark in q.named["landmark"]:
            ids.update(self._by["landmark", landmark])
        if not ids and q.door:
            streets = q.named["street"] | q.named["street_stem"]
            ids = {i for s in streets for i in self._by["street", s] if self.rows[i].door == q.door}
        return ids

    def _score(self, i: int, q: _Query) -> tuple[float, int, list[str]]:
        row, score, reasons = self.rows[i], 0.0, []
        sim = q.roads.get(row.road, 0.0)
        if sim:
            score += W_ROAD * sim
            reasons.append("道路一致" if sim >= 1 else f"道路近似（{row.road}）")
        checks = []  # (agrees, weight, penalty, what) for each part the text gives
        if q.door:
            checks.append((row.door == q.door, W_DOOR, P_DOOR, "门牌号"))
            if (q.yard, bool(q.building)) != (row.yard, bool(row.building)):
                score -= P_SHAPE
        if q.building and row.building:
            checks.append((row.building == q.building, W_BUILDING, P_BUILDING, "楼栋"))
        if q.named["street"]:
            checks.append((row.street in q.named["street"], W_STREET, P_STREET, "街道"))
        elif row.street in q.named["street_stem"]:  # a bare stem may be an ordinary word
            checks.append((True, W_STREET_STEM, 0.0, "街道"))
        if q.named["district"]:
            checks.append((row.district in q.named["district"], W_DISTRICT, P_DISTRICT, "区"))
        if row.landmark in q.named["landmark"]:
            checks.append((True, W_LANDMARK_WITH_ROAD if sim else W_LANDMARK, 0.0, "地标"))
        for agrees, weight, penalty, what in checks:
            score += weight if agrees else -penalty
            reasons.append(what + ("一致" if agrees else "不一致"))
        return max(0.0, min(1.0, score)), i, reasons
