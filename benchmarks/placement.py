"""Where real Beijing addresses land (分级定位兜底) on the demo city.

The demo city's standard address library is synthetic, so a real address never matches it
by design: what matters is the fallback. This builds real-looking addresses from real road,
landmark, street and town names, each with the street and district it truly lies in, says
each in a citizen's words, runs it through intake's reading (`understand`, as receive_appeal
does) and prints the share placed at each level and the share placed wrongly.

Three groups, so the table is not only graded on itself:
- "table": every road and landmark of geo/data/beijing_places.csv (truth = the table);
- "held-out": real roads and places deliberately NOT in the table (truth = district,
  from public knowledge), said with and without the district;
- "street names": real street/town names from the NBS division list (truth = that street).

Usage: python benchmarks/placement.py [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from collections import Counter
from dataclasses import dataclass

# Real roads and places not in the shipped table, with the district each lies in.
HELD_OUT: dict[str, tuple[str, ...]] = {
    "东城区": (
        "金宝街",
        "灯市口大街",
        "东四南大街",
        "北河沿大街",
        "张自忠路",
        "雍和宫大街",
        "崇文门内大街",
        "磁器口",
        "幸福大街",
    ),
    "西城区": (
        "西四南大街",
        "宣武门内大街",
        "阜外大街",
        "新街口南大街",
        "德胜门内大街",
        "西直门南大街",
        "白广路",
        "南菜园街",
        "马连道",
        "红莲南路",
    ),
    "朝阳区": (
        "东大桥路",
        "金台路",
        "姚家园路",
        "青年路",
        "朝阳路",
        "北苑路",
        "惠新东街",
        "慧忠路",
        "北辰西路",
        "霄云路",
        "东三环北路",
        "西大望路",
        "百子湾路",
        "化工路",
        "十里堡北里",
    ),
    "海淀区": (
        "海淀大街",
        "丹棱街",
        "西土城路",
        "北三环西路",
        "车道沟",
        "五道口",
        "成府路",
        "双清路",
        "蓝靛厂北路",
        "西四环北路",
        "阜成路",
        "魏公村路",
        "学清路",
        "西二旗大街",
        "万泉河路",
    ),
    "丰台区": ("丽泽路", "西四环南路", "草桥", "角门", "洋桥", "总部基地", "丰台科技园"),
    "石景山区": ("阜石路", "杨庄东路", "实兴大街"),
    "通州区": ("新华西街", "九棵树东路", "运河西大街", "玉带河大街"),
    "顺义区": ("新顺南大街",),
    "昌平区": ("回南路", "府学路", "龙域中街"),
    "大兴区": ("兴华大街", "黄村西大街", "荣华中路", "金星路"),
    "房山区": ("拱辰大街", "长虹西路", "良乡大学城"),
    "门头沟区": ("新桥大街", "双峪路"),
    "怀柔区": ("青春路", "红螺寺"),
    "平谷区": ("平谷大街", "新平北路"),
    "密云区": ("新东路",),
    "延庆区": ("妫水北街", "高塔街", "世园公园"),
}
PROBLEMS = ("路灯坏了好几天", "垃圾没人清运", "有人占道经营", "井盖丢了", "噪音扰民")
SENTENCES = ("我住在{a}，{p}。", "{a}{p}，请尽快处理。", "反映一下{a}附近{p}", "{a}{p}")
COMMUNITY = ("小区", "家园", "北里", "社区", "附近的小区")


@dataclass(frozen=True)
class Case:
    group: str
    text: str
    street: str  # "" when only the district is known
    district: str


def cases(rng: random.Random) -> list[Case]:
    from cityloop.geo.gazetteer import load_places, street_stem

    def door(name: str) -> str:
        if name.endswith(("路", "街", "巷", "胡同")):
            return f"{rng.randint(1, 199)}号" + rng.choice(
                ["", "院", f"院{rng.randint(1, 12)}号楼"]
            )
        return rng.choice(["", "门口", "东门", "旁边"])

    def say(address: str) -> str:
        return rng.choice(SENTENCES).format(a=address, p=rng.choice(PROBLEMS))

    found: list[Case] = []
    for place in load_places():
        prefix = rng.choice(["", "", "北京市", place.district])
        found.append(
            Case("table", say(prefix + place.name + door(place.name)), place.street, place.district)
        )
    for district, names in HELD_OUT.items():
        for name in names:
            found.append(Case("held-out", say(name + door(name)), "", district))
            found.append(Case("held-out", say(district + name + door(name)), "", district))
    from cityloop.geo.models import Area, AreaLevel

    streets = list(Area.objects.filter(level=AreaLevel.STREET).select_related("parent"))
    for street in rng.sample(streets, 80):
        name = rng.choice([street.name, street_stem(street.name)])
        prefix = rng.choice(["", street.parent.name])
        text = say(prefix + name + rng.choice(COMMUNITY))
        found.append(Case("street names", text, street.name, street.parent.name))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("CITYLOOP_DATA_DIR", tempfile.mkdtemp(prefix="cityloop-placement-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityloop.settings")
    import django

    django.setup()
    from cityloop.cli import _prepare_database
    from cityloop.demo.generator import generate_demo_city
    from cityloop.intake.understanding import understand

    _prepare_database()
    generate_demo_city(seed=2026, appeals=0, days=1)
    rng = random.Random(args.seed)
    all_cases = cases(rng)
    levels: dict[str, Counter[str]] = {}
    wrong_district: Counter[str] = Counter()
    wrong_street: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    examples: list[str] = []
    started = time.perf_counter()
    for case in all_cases:
        found = understand(case.text, want_category=False, want_address=True).placement
        assert found is not None
        district = found.district.name if found.district else ""
        street = found.street.name if found.street else ""
        for group in (case.group, "all"):
            totals[group] += 1
            levels.setdefault(group, Counter())[found.level] += 1
            if district and district != case.district:
                wrong_district[group] += 1
            if street and case.street and street != case.street:
                wrong_street[group] += 1
        if (district and district != case.district) and len(examples) < 12:
            examples.append(f"  {case.text} → {district}{street} (truly {case.district})")
    took = (time.perf_counter() - started) / len(all_cases) * 1000
    order = ("address", "point", "road", "street", "district", "city")
    print(f"{len(all_cases)} real-looking Beijing addresses, {took:.1f} ms each\n")
    print(
        f"{'group':<14}{'n':>5}"
        + "".join(f"{lv:>10}" for lv in order)
        + "  wrong district  wrong street"
    )
    for group in ("table", "held-out", "street names", "all"):
        n = totals[group]
        shares = "".join(f"{levels[group][lv] / n:>10.1%}" for lv in order)
        print(
            f"{group:<14}{n:>5}{shares}  {wrong_district[group] / n:>14.1%}"
            f"  {wrong_street[group] / n:>12.1%}"
        )
    print("\nwrong districts (first few):")
    print("\n".join(examples) or "  none")


if __name__ == "__main__":
    main()
