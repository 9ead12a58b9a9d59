"""The demo city's facilities that report themselves (城市部件), placed at its standard
addresses and registered through the CSV import, and a small simulated sensor feed that
sends their alarms through the real intake (off unless asked for: `cityloop facilities
simulate`)."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from dataclasses import dataclass

from cityloop.access.actors import Actor
from cityloop.geo.models import AreaLevel, StandardAddress
from cityloop.geo.services import ancestor_at
from cityloop.intake.sensors.alarms import CLEARED, OPENED, Alarm, report_alarm, sensor_actor
from cityloop.intake.sensors.facilities import ImportReport, import_facilities
from cityloop.intake.sensors.models import Facility, FacilityKind
from cityloop.taxonomy.models import Category
from cityloop.taxonomy.services import PATH_SEPARATOR

STREET_OFFICE = "street office"  # the office of the street the facility stands in


@dataclass(frozen=True)
class KindPlan:
    kind: str
    prefix: str  # of the device codes (pinyin initials: 路灯 LD, 井盖 JG, …)
    share: float
    unit: str  # a unit code, or STREET_OFFICE
    category: tuple[str, ...]
    alarms: tuple[tuple[str, str], ...]  # (alarm type, reading unit)


PLANS = (
    KindPlan(
        FacilityKind.STREETLIGHT,
        "LD",
        0.4,
        STREET_OFFICE,
        ("城乡建设", "城市建设和市政管理", "城市公共设施"),
        (("灯具不亮", "lx"), ("漏电", "mA")),
    ),
    KindPlan(
        FacilityKind.MANHOLE,
        "JG",
        0.25,
        STREET_OFFICE,
        ("城乡建设", "城市建设和市政管理", "基础设施"),
        (("井盖位移", "mm"), ("井盖倾斜", "°")),
    ),
    KindPlan(
        FacilityKind.DRAIN,
        "PS",
        0.15,
        STREET_OFFICE,
        ("城乡建设", "城市建设和市政管理", "基础设施"),
        (("积水超限", "cm"),),
    ),
    KindPlan(
        FacilityKind.GAS_POINT,
        "RQ",
        0.1,
        "GAS",
        ("城乡建设", "城市建设和市政管理", "燃气供应"),
        (("燃气浓度超限", "%LEL"),),
    ),
    KindPlan(
        FacilityKind.WATER_POINT,
        "GS",
        0.1,
        "WATER",
        ("城乡建设", "城市建设和市政管理", "自来水供应"),
        (("水压过低", "MPa"), ("疑似爆管", "m³/h")),
    ),
)
PLAN_OF = {plan.kind: plan for plan in PLANS}
COLUMNS = ("code", "kind", "name", "lat", "lng", "unit", "grid", "address", "category")


def facility_rows(seed: int, count: int) -> list[dict[str, str]]:
    """`count` facilities at standard addresses drawn with `seed`, each kind in its share."""
    rng = random.Random(seed * 104729 + count)
    addresses = list(StandardAddress.objects.select_related("grid").order_by("code"))
    if not addresses:
        return []
    categories = {
        plan.kind: Category.objects.filter(path=PATH_SEPARATOR.join(plan.category))
        .values_list("code", flat=True)
        .first()
        or ""
        for plan in PLANS
    }
    rows = []
    kinds = rng.choices([p.kind for p in PLANS], weights=[p.share for p in PLANS], k=count)
    for number, kind in enumerate(kinds, start=1):
        address = rng.choice(addresses)
        plan = PLAN_OF[kind]
        unit = plan.unit
        if unit == STREET_OFFICE:
            street = ancestor_at(address.grid, AreaLevel.STREET)
            unit = f"ST-{street.code}" if street is not None else "CGW"
        label = str(FacilityKind(kind).label)
        rows.append(
            {
                "code": f"{plan.prefix}-{number:05d}",
                "kind": kind,
                "name": f"{address.road or address.landmark or address.full_text[:20]}{label}",
                "lat": f"{address.lat:.6f}",
                "lng": f"{address.lng:.6f}",
                "unit": unit,
                "grid": address.grid.code,
                "address": address.code,
                "category": categories[kind],
            }
        )
    return rows


def as_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def register_demo_facilities(seed: int, count: int = 300) -> ImportReport:
    """The demo's facilities, through the same import an administrator uses."""
    text = as_csv(facility_rows(seed, count))
    return import_facilities(io.StringIO(text), actor=Actor.system())


def simulate_feed(
    *,
    alarms: int,
    seed: int,
    devices: int = 12,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """`alarms` alarms from a few faulty devices (so most fold into open appeals), one in
    ten of them an all-clear: what a city's sensor platform sends in a bad hour."""
    rng = random.Random(seed)
    codes = list(Facility.objects.filter(is_active=True).values_list("code", "kind"))
    if not codes:
        return {}
    faulty = rng.sample(codes, min(devices, len(codes)))
    actor = sensor_actor("演示物联感知平台")
    counts = {"alarms": 0, "appeals_opened": 0, "cleared": 0}
    for done in range(1, alarms + 1):
        code, kind = rng.choice(faulty)
        alarm_type, unit = rng.choice(PLAN_OF[kind].alarms) if kind in PLAN_OF else ("故障", "")
        cleared = rng.random() < 0.1
        reading = f"{rng.uniform(0, 100):.1f} {unit}".strip()
        result = report_alarm(Alarm(code, alarm_type, reading, cleared=cleared), actor=actor)
        counts["alarms"] += 1
        counts["appeals_opened"] += result.result == OPENED
        counts["cleared"] += result.result == CLEARED
        if progress is not None:
            progress(done, alarms)
    return counts
