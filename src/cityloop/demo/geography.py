"""The demo city's geography: Beijing's 16 real districts with their real outlines and 349
real streets (official codes), with generated communities, grids, polygons and standard
addresses.

Each district's outline (ECharts' map of Beijing, cityloop.geo.outlines) is cut into its
streets, each street into communities, each community into grids (cityloop.geo.geometry's
partition: cells around evenly spread seeds). Every point of a district therefore lies in
exactly one grid, and every street and address lies inside its district's real outline.
Street outlines are invented: no open data gives them. Deterministic for a seed.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from importlib import resources

from cityloop.geo.geometry import Ring, bounds, partition, point_in_ring, random_point_in
from cityloop.geo.outlines import district_outlines

COMMUNITY_WORDS = [
    "和平里",
    "安华里",
    "新源里",
    "芳草地",
    "金台",
    "幸福",
    "光明",
    "团结湖",
    "花园",
    "东湖",
    "枣园",
    "桃园",
    "文化",
    "康乐",
    "富强",
    "民主",
    "青年",
    "育新",
    "翠微",
    "万寿",
    "双井",
    "劲松",
    "左家庄",
    "香河园",
    "南湖",
    "望京",
    "大屯",
    "小营",
    "清河",
    "永定",
]
COMMUNITY_SUFFIXES = [
    "社区",
    "东社区",
    "西社区",
    "北里社区",
    "南里社区",
    "家园社区",
    "第一社区",
    "第二社区",
    "第三社区",
]
ROAD_WORDS = [
    "光华",
    "建国",
    "朝阳",
    "安定",
    "和平",
    "复兴",
    "长安",
    "广安",
    "西直",
    "东直",
    "学院",
    "中关",
    "双榆",
    "丰台",
    "南苑",
    "石景",
    "永定",
    "京顺",
    "通惠",
    "新华",
    "滨河",
    "育才",
    "幸福",
    "文化",
]
ROAD_SUFFIXES = ["路", "东路", "西路", "北路", "南路", "大街", "东街", "西街", "北街", "胡同", "巷"]
LANDMARKS = [
    "小区",
    "中学",
    "小学",
    "人民医院",
    "菜市场",
    "地铁站",
    "公园",
    "超市",
    "幼儿园",
    "社区卫生服务站",
    "公交站",
]


@dataclass(frozen=True)
class StreetRow:
    code: str
    name: str
    district_code: str
    district_name: str


@dataclass(frozen=True)
class AreaLayout:
    code: str
    name: str
    level: str
    parent_code: str | None
    polygon: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class AddressLayout:
    code: str
    road: str
    number: str
    building: str
    full_text: str
    lat: float
    lng: float
    grid_code: str
    community_code: str
    street_code: str
    district_code: str
    landmark: str


@dataclass
class CityLayout:
    areas: list[AreaLayout] = field(default_factory=list)
    addresses: list[AddressLayout] = field(default_factory=list)

    def by_level(self, level: str) -> list[AreaLayout]:
        return [a for a in self.areas if a.level == level]


@dataclass(frozen=True)
class UnitTemplate:
    code: str
    name: str
    kind: str  # "department" or "utility"
    categories: tuple[tuple[str, ...], ...]


UNIT_TEMPLATES: tuple[UnitTemplate, ...] = (
    UnitTemplate(
        "WATER", "北京市自来水集团", "utility", (("城乡建设", "城市建设和市政管理", "自来水供应"),)
    ),
    UnitTemplate(
        "POWER", "国网北京市电力公司", "utility", (("城乡建设", "城市建设和市政管理", "电力供应"),)
    ),
    UnitTemplate(
        "GAS", "北京市燃气集团", "utility", (("城乡建设", "城市建设和市政管理", "燃气供应"),)
    ),
    UnitTemplate(
        "HEAT", "北京市热力集团", "utility", (("城乡建设", "城市建设和市政管理", "冬季采暖"),)
    ),
    UnitTemplate(
        "ZJW",
        "市住房和城乡建设委员会",
        "department",
        (("城乡建设", "住房保障与房地产"), ("城乡建设", "工程质量"), ("城乡建设", "建筑市场")),
    ),
    UnitTemplate(
        "JTW",
        "市交通委员会",
        "department",
        (
            ("交通运输",),
            ("城乡建设", "城市建设和市政管理", "公共汽车"),
            ("城乡建设", "城市建设和市政管理", "地铁城铁"),
        ),
    ),
    UnitTemplate("JGJ", "市公安局公安交通管理局", "department", (("政法", "交通管理"),)),
    UnitTemplate(
        "GAJ",
        "市公安局",
        "department",
        (("政法", "社会治安"), ("政法", "户籍证件"), ("政法", "刑案侦破")),
    ),
    UnitTemplate("STHJ", "市生态环境局", "department", (("环境保护",),)),
    UnitTemplate("RSJ", "市人力资源和社会保障局", "department", (("劳动和社会保障",),)),
    UnitTemplate(
        "JW",
        "市教育委员会",
        "department",
        (
            ("教育文体", "教育收费"),
            ("教育文体", "教育行政管理"),
            ("教育文体", "考试招生"),
            ("教育文体", "教师队伍和待遇"),
        ),
    ),
    UnitTemplate(
        "WJW",
        "市卫生健康委员会",
        "department",
        (("卫生计生", "医政监管"), ("卫生计生", "医患纠纷"), ("卫生计生", "公共卫生")),
    ),
    UnitTemplate(
        "SCJG",
        "市市场监督管理局",
        "department",
        (("商贸旅游", "市场监管"), ("卫生计生", "食品药品监管"), ("商贸旅游", "质监检验检疫")),
    ),
    UnitTemplate("MZJ", "市民政局", "department", (("民政",),)),
    UnitTemplate("SWJ", "市水务局", "department", (("农村农业", "水利水电"),)),
    UnitTemplate(
        "YLJ",
        "市园林绿化局",
        "department",
        (
            ("城乡建设", "城市建设和市政管理", "园林绿化"),
            ("城乡建设", "城市建设和市政管理", "公园管理"),
        ),
    ),
    UnitTemplate(
        "GHZR", "市规划和自然资源委员会", "department", (("城乡建设", "城乡规划"), ("国土资源",))
    ),
    UnitTemplate(
        "WLJ", "市文化和旅游局", "department", (("商贸旅游", "旅游管理"), ("教育文体", "文化"))
    ),
    UnitTemplate("NYNC", "市农业农村局", "department", (("农村农业",),)),
    UnitTemplate("TXGL", "北京市通信管理局", "department", (("科技与信息产业", "电信"),)),
)


def unit_name_for_street(street_name: str) -> str:
    if street_name.endswith("镇"):
        return f"{street_name}人民政府"
    if street_name.endswith("乡"):
        return f"{street_name}人民政府"
    return f"{street_name}办事处"


def unit_name_for_district(district_name: str) -> str:
    return f"{district_name}人民政府"


def load_beijing_streets() -> list[StreetRow]:
    text = resources.files("cityloop.geo").joinpath("data/beijing_streets.csv").read_text("utf-8")
    return [
        StreetRow(r["code"], r["name"], r["areaCode"], r["areaName"])
        for r in csv.DictReader(text.splitlines())
    ]


def build_city(
    seed: int,
    streets_per_district: int | None = None,
    communities_per_street: tuple[int, int] = (2, 4),
    grids_per_community: tuple[int, int] = (2, 3),
    addresses_per_grid: tuple[int, int] = (3, 5),
) -> CityLayout:
    rng = random.Random(seed)
    layout = CityLayout()
    outlines = district_outlines()
    west, south, east, north = bounds([p for ring in outlines.values() for p in ring])
    layout.areas.append(
        AreaLayout(
            "110000",
            "北京市",
            "city",
            None,
            ((west, south), (east, south), (east, north), (west, north), (west, south)),
        )
    )
    streets_by_district: dict[str, list[StreetRow]] = {}
    for row in load_beijing_streets():
        streets_by_district.setdefault(row.district_code, []).append(row)
    for district_code, streets in streets_by_district.items():
        if streets_per_district is not None:
            streets = streets[:streets_per_district]
        outline = outlines[district_code]
        layout.areas.append(
            AreaLayout(
                district_code, streets[0].district_name, "district", "110000", tuple(outline)
            )
        )
        for street, cell in zip(streets, partition(rng, outline, len(streets)), strict=True):
            layout.areas.append(
                AreaLayout(street.code, street.name, "street", district_code, tuple(cell))
            )
            _build_street(
                rng,
                layout,
                street,
                cell,
                communities_per_street,
                grids_per_community,
                addresses_per_grid,
            )
    return layout


def _build_street(
    rng: random.Random,
    layout: CityLayout,
    street: StreetRow,
    cell: Ring,
    communities: tuple[int, int],
    grids: tuple[int, int],
    addresses: tuple[int, int],
) -> None:
    stem = (
        street.name.removesuffix("街道").removesuffix("地区").removesuffix("镇").removesuffix("乡")
    )
    roads = [
        rng.choice([stem[:2], *rng.sample(ROAD_WORDS, 2)]) + rng.choice(ROAD_SUFFIXES)
        for _ in range(rng.randint(3, 5))
    ]
    roads = list(dict.fromkeys(roads))
    names = [stem[:2] + suffix for suffix in COMMUNITY_SUFFIXES] + [
        w + "社区" for w in rng.sample(COMMUNITY_WORDS, 12)
    ]
    rng.shuffle(names)
    count = rng.randint(*communities)
    for index, ring in enumerate(partition(rng, cell, count), start=1):
        code = f"{street.code}{index:03d}"
        name = names[index - 1]
        layout.areas.append(AreaLayout(code, name, "community", street.code, tuple(ring)))
        for grid_index, grid_ring in enumerate(partition(rng, ring, rng.randint(*grids)), start=1):
            grid_code = f"{code}{grid_index:02d}"
            layout.areas.append(
                AreaLayout(grid_code, f"{name}第{grid_index}网格", "grid", code, tuple(grid_ring))
            )
            for n in range(rng.randint(*addresses)):
                layout.addresses.append(
                    _address(rng, street, name, code, grid_code, grid_ring, roads, n)
                )


def _address(
    rng: random.Random,
    street: StreetRow,
    community: str,
    community_code: str,
    grid_code: str,
    ring: Ring,
    roads: list[str],
    n: int,
) -> AddressLayout:
    lng, lat = random_point_in(rng, ring)
    road = rng.choice(roads)
    number = f"{rng.randint(1, 199)}号"
    building = ""
    if rng.random() < 0.6:
        number = number.replace("号", "号院")
        building = f"{rng.randint(1, 24)}号楼"
    landmark = ""
    if rng.random() < 0.35:
        kind = rng.choice(LANDMARKS)
        landmark = (community.removesuffix("社区") + kind) if kind == "小区" else road[:2] + kind
    full = f"北京市{street.district_name}{street.name}{road}{number}{building}"
    return AddressLayout(
        code=f"{grid_code}-{n + 1:02d}",
        road=road,
        number=number,
        building=building,
        full_text=full,
        lat=round(lat, 6),
        lng=round(lng, 6),
        grid_code=grid_code,
        community_code=community_code,
        street_code=street.code,
        district_code=street.district_code,
        landmark=landmark,
    )


def locate(layout: CityLayout, lat: float, lng: float) -> str | None:
    for grid in layout.by_level("grid"):
        if point_in_ring(lng, lat, grid.polygon):
            return grid.code
    return None
