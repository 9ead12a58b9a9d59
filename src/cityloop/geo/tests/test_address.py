"""Addresses pulled out of free text, and placed on a small demo city's address library."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable

import pytest

from cityloop.demo import geography
from cityloop.geo.address import AddressEntry, AddressMatcher, parse_address

Library = tuple[list[AddressEntry], AddressMatcher]


@pytest.fixture(scope="module")
def library() -> Library:
    city = geography.build_city(3, streets_per_district=2)
    names = {area.code: area.name for area in city.areas}
    entries = [
        AddressEntry(
            a.code, a.full_text, names[a.district_code], names[a.street_code],
            a.road, a.number, a.building, a.landmark,
        )
        for a in city.addresses
    ]  # fmt: skip
    return entries, AddressMatcher(entries)


def _door(entry: AddressEntry) -> str:
    return entry.number.split("号")[0]


def _pick(
    entries: list[AddressEntry],
    key: Callable[[AddressEntry], object],
    when: Callable[[AddressEntry], bool] = lambda e: True,
) -> AddressEntry:
    """An address that `key` (what the query still says) tells apart from all others."""
    counts = Counter(key(e) for e in entries)
    return next(e for e in entries if when(e) and counts[key(e)] == 1)


def test_parse_a_full_address_in_a_sentence() -> None:
    parsed = parse_address("我家住在朝阳区建外街道光华路12号院3号楼，暖气不热")
    assert (parsed.province, parsed.city, parsed.district) == ("北京市", "北京市", "朝阳区")
    assert (parsed.street, parsed.road) == ("建外街道", "光华路")
    assert (parsed.number, parsed.building) == ("12号院", "3号楼")
    assert parsed.remainder == "暖气不热"
    assert parsed.confidence == 1.0


def test_parse_road_and_number_without_district() -> None:
    parsed = parse_address("东华门那边石景巷143号门口的路灯坏了")
    assert (parsed.district, parsed.road, parsed.number) == ("", "石景巷", "143号")
    assert parsed.remainder == "门口的路灯坏了"  # "路灯" is not a road


def test_parse_a_junction() -> None:
    parsed = parse_address("光华路和建国路交叉口红绿灯坏了")
    assert (parsed.road, parsed.number) == ("光华路", "")
    assert parsed.landmark == "光华路和建国路交叉口"
    assert parsed.remainder == "红绿灯坏了"


def test_parse_chinese_numerals_units_and_landmarks() -> None:
    parsed = parse_address("北京市朝阳区光华路十二号院三号楼二单元301室漏水")
    assert (parsed.number, parsed.building) == ("12号院", "3号楼2单元301室")
    assert parse_address("光华公交站旁边有人占道经营").landmark == "光华公交站"
    assert parse_address("193号楼下垃圾没人清运").number == "193号"  # 楼下: downstairs


def test_parse_works_around_cpca_on_beijing_names() -> None:
    # cpca alone reads a bare 朝阳区 as 吉林省长春市朝阳区, and 朝阳路 as 辽宁省朝阳市.
    assert parse_address("朝阳区光华路5号").province == "北京市"
    assert parse_address("朝阳路12号").province == ""
    assert parse_address("延吉路5号").district == ""
    assert parse_address("朝阳路12号，东城区东华门街道").district == "东城区"
    nothing = parse_address("公司拖欠我三个月工资，我不知道怎么办")
    assert (nothing.road, nothing.street, nothing.confidence) == ("", "", 0.0)


def test_full_address_in_a_sentence(library: Library) -> None:
    entries, matcher = library
    entry = _pick(entries, lambda e: e.full_text, lambda e: bool(e.building))
    found = matcher.match(f"您好，我家住在{entry.full_text}，暖气一直不热")
    assert found[0].code == entry.code
    assert {"道路一致", "门牌号一致", "楼栋一致", "街道一致", "区一致"} <= set(found[0].reasons)
    assert found[0].score >= 0.95


def test_without_district_and_street(library: Library) -> None:
    entries, matcher = library
    entry = _pick(entries, lambda e: (e.road, _door(e), e.building), lambda e: bool(e.building))
    found = matcher.match(f"{entry.road}{entry.number}{entry.building}楼下垃圾没人清运")
    assert found[0].code == entry.code
    assert found[0].score >= 0.7


def test_road_kind_variants(library: Library) -> None:
    entries, matcher = library
    roads = {e.road for e in entries}
    entry = _pick(
        entries,
        lambda e: (e.street, e.road[:2], _door(e)),
        lambda e: e.road.endswith("路") and e.road[:-1] + "街" not in roads,
    )
    for kind in ("街", "大街"):
        spoken = f"{entry.street}{entry.road[:-1]}{kind}{entry.number}{entry.building}"
        found = matcher.match(spoken)
        assert found[0].code == entry.code
        assert found[0].reasons[0].startswith("道路近似")


def test_yard_number_said_as_plain_number(library: Library) -> None:
    entries, matcher = library
    entry = _pick(entries, lambda e: (e.street, e.road, _door(e)), lambda e: "号院" in e.number)
    spoken = f"{entry.street}{entry.road}{entry.number.replace('号院', '号')}{entry.building}"
    assert matcher.match(spoken)[0].code == entry.code


def test_one_wrong_character_in_the_road(library: Library) -> None:
    entries, matcher = library
    entry = _pick(entries, lambda e: (e.street, _door(e)), lambda e: "号院" not in e.number)
    wrong = "错" + entry.road[1:]
    found = matcher.match(f"{entry.street}{wrong}{entry.number}水管爆了")
    assert found and found[0].code == entry.code
    assert found[0].reasons[0] == f"道路近似（{entry.road}）"


def test_chinese_numerals(library: Library) -> None:
    entries, matcher = library
    entry = _pick(entries, lambda e: (e.road, _door(e)), lambda e: e.number == "12号")
    assert matcher.match(f"{entry.road}十二号门口的路灯坏了")[0].code == entry.code


def test_landmark_only(library: Library) -> None:
    entries, matcher = library
    entry = _pick(entries, lambda e: e.landmark, lambda e: bool(e.landmark))
    found = matcher.match(f"{entry.landmark}旁边有人占道经营")
    assert found[0].code == entry.code and "地标一致" in found[0].reasons
    assert found[0].score < 0.7  # a landmark alone is a hint, not a placement


def test_ties_are_reported_and_discounted(library: Library) -> None:
    entries, matcher = library
    road = Counter(e.road for e in entries).most_common(1)[0][0]
    found = matcher.match(f"{road}上的井盖丢了")
    assert len(found) == 3
    assert all(m.score < 0.5 and m.reasons[-1].endswith("个同分候选") for m in found)


def test_no_address_no_match(library: Library) -> None:
    _, matcher = library
    assert matcher.match("公司拖欠我三个月工资") == []
    assert matcher.match("楼道里的灯坏了，我不知道找谁") == []
    assert matcher.match("") == []


def test_matching_is_fast(library: Library) -> None:
    entries, matcher = library
    texts = [f"我住在{e.full_text}，暖气不热" for e in entries[:200]]
    started = time.perf_counter()
    for text in texts:
        matcher.match(text)
    assert (time.perf_counter() - started) / len(texts) < 0.005
