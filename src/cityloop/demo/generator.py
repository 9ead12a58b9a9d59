"""The demo city: Beijing's real districts and streets, generated communities, grids,
addresses, units, rules, staff, and a history of appeals with their full recorded lives.

Deterministic for a seed and an end date. Rows are written in bulk, in chunks, so the same
code makes a few hundred appeals for a test or millions for a benchmark. What the generator
knows (incidents it injected, which appeals report the same problem, who called) is stored
as ground truth in DemoIncident / DemoAppealTruth.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from cityloop.analytics.store import export_store
from cityloop.bootstrap import CENTER_CODE, seed_reference
from cityloop.demo import geography
from cityloop.demo.facilities import register_demo_facilities
from cityloop.demo.history import HistoryWriter, UnitDirectory
from cityloop.demo.proactive import propose_for_demo
from cityloop.dispatch.models import ResponsibilityRule, RuleTarget
from cityloop.geo.models import Area, AreaLevel, StandardAddress
from cityloop.kernel import clock
from cityloop.kernel.cache import clear_config_caches
from cityloop.org.models import Role, StaffProfile, Unit, UnitKind
from cityloop.taxonomy.models import Category
from cityloop.taxonomy.services import PATH_SEPARATOR

Progress = Callable[[int, int, str], None]
DEMO_PASSWORD = "cityloop"


def city_exists() -> bool:
    return Area.objects.filter(level=AreaLevel.DISTRICT).exists()


def _quiet(done: int, total: int, what: str) -> None:
    return None


@dataclass
class DemoCity:
    layout: geography.CityLayout
    area_ids: dict[str, int]
    addresses: list[tuple[int, geography.AddressLayout]]
    units: UnitDirectory


def generate_demo_city(
    *,
    seed: int = 12345,
    appeals: int = 3000,
    days: int = 120,
    streets_per_district: int | None = None,
    end: date | None = None,
    progress: Progress = _quiet,
) -> dict[str, Any]:
    """Build the city (once) and add `appeals` appeals over the `days` days before `end`."""
    seed_reference()
    if not city_exists():
        build_city(seed=seed, streets_per_district=streets_per_district, progress=progress)
    city = load_city(seed=seed, streets_per_district=streets_per_district)
    facilities = register_demo_facilities(seed)
    progress(1, 1, "facilities")
    end = end or clock.today()
    writer = HistoryWriter(city.units, city.addresses, seed=seed, end=end, days=days)
    written = writer.write(appeals, progress=progress)
    _staff_where_the_work_is()
    model = train_demo_model(progress)
    export_store(progress=None)  # the forecasts read the history from the store
    proposals = propose_for_demo(end)
    return {
        "seed": seed,
        "districts": sum(1 for a in city.layout.areas if a.level == "district"),
        "streets": sum(1 for a in city.layout.areas if a.level == "street"),
        "grids": sum(1 for a in city.layout.areas if a.level == "grid"),
        "addresses": len(city.addresses),
        "units": Unit.objects.count(),
        "facilities": facilities.created + facilities.updated + facilities.unchanged,
        **written,
        **model,
        **proposals,
    }


def _staff_where_the_work_is() -> None:
    """The demo handler works in the street office with the most open appeals, and the
    district supervisor in its district, so that a newcomer's worklist has work on it."""
    from django.db.models import Count

    from cityloop.appeals.enums import HANDLING_STATUSES
    from cityloop.appeals.models import Appeal

    busiest = (
        Appeal.objects.filter(status__in=HANDLING_STATUSES, main_unit__kind=UnitKind.STREET_OFFICE)
        .values("main_unit")
        .annotate(n=Count("id"))
        .order_by("-n", "main_unit")
        .first()
    )
    if busiest is None:
        _grid_worker_where_the_work_is(StaffProfile.objects.get(user__username="handler").unit)
        return
    office = Unit.objects.select_related("parent").get(pk=busiest["main_unit"])
    _grid_worker_where_the_work_is(office)
    StaffProfile.objects.filter(user__username="handler").update(
        unit=office, display_name=f"{office.name}接诉即办专员"
    )
    if office.parent is not None:
        StaffProfile.objects.filter(user__username="district").update(
            unit=office.parent, display_name=f"{office.parent.name}督办员"
        )


def _grid_worker_where_the_work_is(office: Unit) -> None:
    """The demo grid worker works for that street office and patrols its grid with the most
    open appeals (any grid of the street when none is open)."""
    from django.db.models import Count

    from cityloop.access.actors import Actor
    from cityloop.appeals.enums import OPEN_STATUSES
    from cityloop.appeals.models import Appeal
    from cityloop.intake.patrol.services import assign_grid

    if office.area is None:
        return
    StaffProfile.objects.filter(user__username="gridworker").update(
        unit=office, display_name=f"{office.name}网格员小赵"
    )
    busiest = (
        Appeal.objects.filter(street=office.area, grid__isnull=False, status__in=OPEN_STATUSES)
        .values("grid__code")
        .annotate(n=Count("id"))
        .order_by("-n", "grid__code")
        .first()
    )
    any_grid = StandardAddress.objects.filter(grid__parent__parent=office.area).first()
    code = busiest["grid__code"] if busiest else any_grid.grid.code if any_grid else ""
    if code:
        assign_grid("gridworker", code, actor=Actor.system())


def train_demo_model(progress: Progress) -> dict[str, Any]:
    """The demo city's own category model, learnt from its history, so that a newcomer sees
    appeals classified and dispatched by themselves. Kept when a model is already in use."""
    from cityloop.appeals.selectors import training_history
    from cityloop.classify.services import train_and_register, usable_model

    if usable_model() is not None:
        return {}
    texts, labels = training_history(limit=50_000)
    if len(set(labels)) < 2:
        return {}
    progress(0, 1, "model")
    outcome = train_and_register(
        texts, labels, trained_on="demo city history", progress=lambda _: None
    )
    progress(1, 1, "model")
    return {"model": outcome.record.name, "model_holdout_macro_f1": outcome.new_holdout.macro_f1}


@transaction.atomic
def build_city(*, seed: int, streets_per_district: int | None, progress: Progress) -> None:
    layout = geography.build_city(seed, streets_per_district=streets_per_district)
    area_ids = _write_areas(layout, progress)
    _write_addresses(layout, area_ids, progress)
    units = _write_units(layout, area_ids)
    _write_rules(units)
    _write_staff(units)
    # areas, addresses and rules went in by bulk inserts, which send no signal: this
    # process's configuration copies (kernel.cache) must not outlive them
    clear_config_caches()


def load_city(*, seed: int, streets_per_district: int | None) -> DemoCity:
    layout = geography.build_city(seed, streets_per_district=streets_per_district)
    area_ids = dict(Area.objects.values_list("code", "pk"))
    address_ids = dict(StandardAddress.objects.values_list("code", "pk"))
    addresses = [(address_ids[a.code], a) for a in layout.addresses if a.code in address_ids]
    return DemoCity(layout, area_ids, addresses, UnitDirectory.load())


def _write_areas(layout: geography.CityLayout, progress: Progress) -> dict[str, int]:
    ids: dict[str, int] = {}
    levels = ["city", "district", "street", "community", "grid"]
    for step, level in enumerate(levels, start=1):
        rows = []
        for area in layout.areas:
            if area.level != level:
                continue
            row = Area(
                code=area.code,
                name=area.name,
                level=level,
                parent_id=ids.get(area.parent_code) if area.parent_code else None,
                polygon=[list(p) for p in area.polygon],
            )
            row.fill_bounds()
            rows.append(row)
        Area.objects.bulk_create(rows, batch_size=1000)
        ids.update(Area.objects.filter(level=level).values_list("code", "pk"))
        progress(step, len(levels), "areas")
    return ids


def _write_addresses(
    layout: geography.CityLayout, area_ids: dict[str, int], progress: Progress
) -> None:
    rows = [
        StandardAddress(
            code=a.code,
            full_text=a.full_text,
            road=a.road,
            number=a.number,
            building=a.building,
            landmark=a.landmark or "",
            lat=a.lat,
            lng=a.lng,
            grid_id=area_ids[a.grid_code],
        )
        for a in layout.addresses
    ]
    StandardAddress.objects.bulk_create(rows, batch_size=2000)
    progress(1, 1, "addresses")


def _write_units(layout: geography.CityLayout, area_ids: dict[str, int]) -> dict[str, Unit]:
    center = Unit.objects.get(code=CENTER_CODE)
    units: dict[str, Unit] = {CENTER_CODE: center}
    for area in layout.areas:
        if area.level == "district":
            units[f"GOV-{area.code}"] = Unit.objects.create(
                code=f"GOV-{area.code}",
                name=geography.unit_name_for_district(area.name),
                kind=UnitKind.DISTRICT_GOVERNMENT,
                area_id=area_ids[area.code],
            )
    street_rows = [
        Unit(
            code=f"ST-{area.code}",
            name=geography.unit_name_for_street(area.name),
            kind=UnitKind.STREET_OFFICE,
            area_id=area_ids[area.code],
            parent=units[f"GOV-{area.parent_code}"],
        )
        for area in layout.areas
        if area.level == "street"
    ]
    for unit in Unit.objects.bulk_create(street_rows, batch_size=500):
        units[unit.code] = unit
    for template in geography.UNIT_TEMPLATES:
        units[template.code] = Unit.objects.create(
            code=template.code,
            name=template.name,
            kind=UnitKind.UTILITY if template.kind == "utility" else UnitKind.DEPARTMENT,
        )
    return units


def _category(names: tuple[str, ...]) -> Category | None:
    return Category.objects.filter(path=PATH_SEPARATOR.join(names)).first()


def _write_rules(units: dict[str, Unit]) -> None:
    """Local problems go to the street office where they happen (街乡吹哨); city-wide
    matters to the department or utility that owns them."""
    rules = [
        ResponsibilityRule(
            category=_category(("城乡建设", "城市建设和市政管理")),
            target=RuleTarget.STREET_OF_LOCATION,
            priority=0,
            reason="市政管理与城市运行问题由属地街道（乡镇）负责",
        ),
        ResponsibilityRule(
            category=_category(("城乡建设", "住房保障与房地产", "物业服务")),
            target=RuleTarget.STREET_OF_LOCATION,
            priority=0,
            reason="物业服务纠纷由属地街道（乡镇）协调",
        ),
        ResponsibilityRule(
            category=_category(("环境保护", "环境污染", "噪音污染")),
            target=RuleTarget.STREET_OF_LOCATION,
            priority=5,
            reason="社会生活噪声由属地街道（乡镇）处置",
        ),
    ]
    for template in geography.UNIT_TEMPLATES:
        for names in template.categories:
            category = _category(tuple(names))
            if category is None:
                continue
            rules.append(
                ResponsibilityRule(
                    category=category,
                    unit=units[template.code],
                    priority=category.level,
                    reason=f"{category.path}由{template.name}负责",
                )
            )
    ResponsibilityRule.objects.bulk_create([r for r in rules if r.category_id or r.unit_id])


def _write_staff(units: dict[str, Unit]) -> None:
    first_street = min(
        (u for u in units.values() if u.kind == UnitKind.STREET_OFFICE), key=lambda u: u.code
    )
    first_district = first_street.parent
    assert first_district is not None
    center = units[CENTER_CODE]
    people = [
        ("admin", Role.ADMIN, center, "系统管理员"),
        ("calltaker", Role.CALL_TAKER, center, "话务员小李"),
        ("dispatcher", Role.DISPATCHER, center, "派单员老张"),
        ("supervisor", Role.SUPERVISOR, center, "督办科王科长"),
        ("analyst", Role.ANALYST, center, "数据分析员"),
        ("handler", Role.HANDLER, first_street, f"{first_street.name}接诉即办专员"),
        ("district", Role.SUPERVISOR, first_district, f"{first_district.name}督办员"),
        ("gridworker", Role.GRID_WORKER, first_street, f"{first_street.name}网格员小赵"),
    ]
    user_model = get_user_model()
    for username, role, unit, display in people:
        if user_model.objects.filter(username=username).exists():
            continue
        user = user_model.objects.create_user(username, password=DEMO_PASSWORD)
        if role == Role.ADMIN:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        StaffProfile.objects.create(user=user, unit=unit, role=role, display_name=display)
