"""How well free-text addresses are placed on the standard address library.

Builds the demo city, takes random addresses (whose code is the truth), says each of them in
a noisy way, and matches the text. "ceiling" is what a perfect reader could reach: when the
words left in a query fit k library addresses equally well, it can only guess 1 in k.

Usage: python benchmarks/address_match.py [--seed 2026] [--per-variant 300]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable

from cityloop.demo import geography
from cityloop.demo.geography import AddressLayout
from cityloop.geo.address import AddressEntry, AddressMatcher

PROBLEMS = ("暖气不热", "楼下垃圾没人清运", "路灯坏了好几天了", "门口有人占道经营", "水管漏水了")
SENTENCES = ("我住在{a}，{p}。", "{a}{p}，请尽快处理。", "您好，我家是{a}的，{p}", "反映一下{a}{p}")
TYPO_POOL = "华化花建健国果阳洋安定订和河平复福长常广光西希东冬学雪院中钟关观新兴文明永勇"
CN = "零一二三四五六七八九"
KIND_SWAP = {"路": "街", "街": "路", "大街": "路", "胡同": "巷", "巷": "胡同"}
FULL = ("district", "street", "road", "door", "building")


def cn_number(n: int) -> str:
    """143 -> 一百四十三, 12 -> 十二, 105 -> 一百零五."""
    hundreds, tens, ones = n // 100, n // 10 % 10, n % 10
    text = CN[hundreds] + "百" if hundreds else ""
    if tens:
        text += ("" if tens == 1 and not hundreds else CN[tens]) + "十"
    elif hundreds and ones:
        text += "零"
    return text + (CN[ones] if ones else "")


class Sayer:
    """Ways of saying an address; each returns the text and the fields it still gives away."""

    def __init__(self, names: dict[str, str], rng: random.Random) -> None:
        self.names, self.rng = names, rng

    def parts(self, a: AddressLayout) -> tuple[str, str, str]:
        return self.names[a.district_code], self.names[a.street_code], a.road

    def tail(self, a: AddressLayout, road: str | None = None) -> str:
        return (road or a.road) + a.number + a.building

    def sentence(self, address: str) -> str:
        template = self.rng.choice(SENTENCES)
        return template.format(a=address, p=self.rng.choice(PROBLEMS))

    def swap_kind(self, road: str) -> str:
        for kind in sorted(KIND_SWAP, key=len, reverse=True):
            if road.endswith(kind):
                return road[: -len(kind)] + KIND_SWAP[kind]
        return road

    def typo(self, road: str) -> str:
        stem = geography_stem(road)
        i = self.rng.randrange(len(stem))
        char = self.rng.choice([c for c in TYPO_POOL if c != stem[i]])
        return road[:i] + char + road[i + 1 :]

    def variants(self) -> dict[str, Callable[[AddressLayout], tuple[str, tuple[str, ...]]]]:
        def district_street(a: AddressLayout) -> str:
            district, street, _ = self.parts(a)
            return f"北京市{district}{street}"

        return {
            "exact": lambda a: (a.full_text, FULL),
            "in a sentence": lambda a: (self.sentence(a.full_text.removeprefix("北京市")), FULL),
            "no district": lambda a: (self.parts(a)[1] + self.tail(a), FULL[1:]),
            "no street": lambda a: (
                f"北京市{self.parts(a)[0]}{self.tail(a)}",
                ("district", "road", "door", "building"),
            ),
            "no district/street": lambda a: (self.tail(a), FULL[2:]),
            "road kind 路/街": lambda a: (
                district_street(a) + self.tail(a, self.swap_kind(a.road)),
                FULL,
            ),
            "号院 as 号": lambda a: (
                district_street(a) + a.road + a.number.replace("号院", "号") + a.building,
                FULL,
            ),
            "typo in road": lambda a: (district_street(a) + self.tail(a, self.typo(a.road)), FULL),
            "Chinese numerals": lambda a: (
                district_street(a)
                + a.road
                + cn_number(int(a.number.split("号")[0]))
                + a.number[a.number.index("号") :]
                + a.building,
                FULL,
            ),
            "sentence, no street, 路/街": lambda a: (
                self.sentence(self.tail(a, self.swap_kind(a.road))),
                FULL[2:],
            ),
            "landmark only": lambda a: (
                f"{a.landmark}{self.rng.choice(['旁边', '附近', '门口', '对面'])}"
                f"{self.rng.choice(PROBLEMS)}",
                ("landmark",),
            ),
        }


def pad(text: str, width: int) -> str:
    """Left-justify in terminal columns (a Chinese character takes two)."""
    wide = sum(unicodedata.east_asian_width(c) in "WF" for c in text)
    return text + " " * max(0, width - len(text) - wide)


def geography_stem(road: str) -> str:
    for kind in ("大街", "胡同", "路", "街", "巷"):
        if road.endswith(kind):
            body = road[: -len(kind)]
            return body[:-1] if len(body) >= 3 and body[-1] in "东西南北中" else body
    return road


def visible(a: AddressLayout, fields: tuple[str, ...]) -> tuple[str, ...]:
    values = {
        "district": a.district_code,
        "street": a.street_code,
        "road": a.road,
        "door": a.number.split("号")[0],
        "building": a.building,
        "landmark": a.landmark,
    }
    return tuple(values[f] for f in fields)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--per-variant", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    city = geography.build_city(args.seed)
    names = {area.code: area.name for area in city.areas}
    entries = [
        AddressEntry(
            a.code,
            a.full_text,
            names[a.district_code],
            names[a.street_code],
            a.road,
            a.number,
            a.building,
            a.landmark,
        )
        for a in city.addresses
    ]
    started = time.perf_counter()
    matcher = AddressMatcher(entries)
    built = time.perf_counter() - started
    matcher.match("预热")  # the first call compiles and warms up; keep it out of the timings
    by_code = {a.code: a for a in city.addresses}
    print(f"library: {len(entries)} addresses, index built in {built * 1000:.0f} ms")

    sayer = Sayer(names, rng)
    with_landmark = [a for a in city.addresses if a.landmark]
    stats: dict[str, Counter[str]] = defaultdict(Counter)
    ceilings: dict[str, list[float]] = defaultdict(list)
    groups: dict[tuple[str, ...], dict[tuple[str, ...], int]] = {}
    latencies: list[float] = []
    for variant, say in sayer.variants().items():
        pool = with_landmark if variant == "landmark only" else city.addresses
        for truth in rng.sample(pool, args.per_variant):
            text, fields = say(truth)
            if fields not in groups:
                groups[fields] = Counter(visible(a, fields) for a in city.addresses)
            ceilings[variant].append(1 / groups[fields][visible(truth, fields)])
            started = time.perf_counter()
            found = matcher.match(text, limit=3)
            latencies.append(time.perf_counter() - started)
            codes = [m.code for m in found]
            row = stats[variant]
            row["n"] += 1
            row["top1"] += bool(codes) and codes[0] == truth.code
            row["top3"] += truth.code in codes
            row["none"] += not codes
            row["grid"] += bool(codes) and by_code[codes[0]].grid_code == truth.grid_code
            row["sure"] += bool(found) and found[0].score >= 0.7
            row["sure_right"] += bool(found) and found[0].score >= 0.7 and codes[0] == truth.code

    header = f"{pad('variant', 28)} {'n':>5} {'top-1':>6} {'top-3':>6} {'none':>6} {'grid':>6}"
    print(f"\n{header} {'ceiling':>7} {'≥0.7':>6} {'≥0.7 right':>10}")
    total: Counter[str] = Counter()
    for variant, row in stats.items():
        total.update(row)
        n = row["n"]
        sure = row["sure"]
        print(
            f"{pad(variant, 28)} {n:5d} {row['top1'] / n:6.3f} {row['top3'] / n:6.3f} "
            f"{row['none'] / n:6.3f} {row['grid'] / n:6.3f} "
            f"{statistics.mean(ceilings[variant]):7.3f} {sure / n:6.3f} "
            f"{row['sure_right'] / max(1, sure):10.3f}"
        )
    n = total["n"]
    every = [c for values in ceilings.values() for c in values]
    print(
        f"{pad('all', 28)} {n:5d} {total['top1'] / n:6.3f} {total['top3'] / n:6.3f} "
        f"{total['none'] / n:6.3f} {total['grid'] / n:6.3f} {statistics.mean(every):7.3f} "
        f"{total['sure'] / n:6.3f} {total['sure_right'] / max(1, total['sure']):10.3f}"
    )
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[int(len(latencies) * 0.99)] * 1000
    worst = latencies[-1] * 1000
    print(
        f"\nlatency per match: p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {worst:.2f} ms "
        f"({len(latencies)} queries)"
    )
    print(
        "top-1/top-3: right address first / among the first three; none: no candidate; grid: "
        "first candidate on the right grid;\nceiling: best possible top-1 with the words left; "
        "≥0.7: share scored at the intake threshold, and how often those are right."
    )


if __name__ == "__main__":
    main()
