"""Writing a demo history: each appeal's life is simulated in memory (intake, dispatch,
send-back, sign-for, contact, extension, reply, callback, reopen, close, overdue and
supervision), cut off at the present, and written in bulk with every event."""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import Model

from cityloop.appeals.models import Appeal, AppealAssignment, AppealEvent
from cityloop.appeals.public_text import public_fields, public_version
from cityloop.demo import rhythm, texts
from cityloop.demo.bulk import insert_rows, next_id, reset_sequences
from cityloop.demo.geography import AddressLayout
from cityloop.demo.lifecycle import Life, simulate_life
from cityloop.demo.models import DemoAppealTruth, DemoIncident
from cityloop.dispatch.models import ResponsibilityRule, RuleTarget
from cityloop.evaluate.models import Callback
from cityloop.geo.models import Area
from cityloop.intake.services import CODE_ALPHABET
from cityloop.kernel import clock
from cityloop.org.models import Unit, UnitKind
from cityloop.oversight.models import SupervisionOrder
from cityloop.sla.calendar import add_duration
from cityloop.sla.services import choose_policy
from cityloop.taxonomy.models import Category
from cityloop.taxonomy.services import PATH_SEPARATOR

CHUNK = 5000
FLUSHED = (Appeal, AppealEvent, AppealAssignment, Callback, SupervisionOrder, DemoAppealTruth)


@dataclass(frozen=True)
class UnitInfo:
    pk: int
    code: str
    name: str


class UnitDirectory:
    """Units and the responsibility rules, held in memory so a million appeals can be
    dispatched without a query each. Mirrors dispatch.rules.choose_unit."""

    def __init__(self) -> None:
        self.by_code: dict[str, UnitInfo] = {}
        self.street_office: dict[int, UnitInfo] = {}
        self.district_gov: dict[int, UnitInfo] = {}
        self.rules: list[ResponsibilityRule] = []
        self.category_parent: dict[int, int | None] = {}
        self.area_parent: dict[int, int | None] = {}

    @classmethod
    def load(cls) -> UnitDirectory:
        directory = cls()
        for unit in Unit.objects.all():
            info = UnitInfo(unit.pk, unit.code, unit.name)
            directory.by_code[unit.code] = info
            if unit.area_id and unit.kind == UnitKind.STREET_OFFICE:
                directory.street_office[unit.area_id] = info
            if unit.area_id and unit.kind == UnitKind.DISTRICT_GOVERNMENT:
                directory.district_gov[unit.area_id] = info
        directory.rules = list(ResponsibilityRule.objects.filter(is_active=True))
        directory.category_parent = dict(Category.objects.values_list("pk", "parent_id"))
        directory.area_parent = dict(Area.objects.values_list("pk", "parent_id"))
        return directory

    def unit_of(self, pk: int | None) -> UnitInfo | None:
        for info in self.by_code.values():
            if info.pk == pk:
                return info
        return None

    def choose(self, category_id: int, street_id: int, district_id: int) -> tuple[UnitInfo, str]:
        lineage = []
        node: int | None = category_id
        while node is not None:
            lineage.append(node)
            node = self.category_parent[node]
        best: tuple[tuple[int, int], ResponsibilityRule] | None = None
        for rule in self.rules:
            if rule.category_id is not None and rule.category_id not in lineage:
                continue
            if rule.area_id is not None and rule.area_id not in (street_id, district_id):
                continue
            depth = len(lineage) - lineage.index(rule.category_id) if rule.category_id else 0
            if best is None or (rule.priority, depth) > best[0]:
                best = ((rule.priority, depth), rule)
        if best is not None:
            rule = best[1]
            if rule.target == RuleTarget.STREET_OF_LOCATION:
                unit = self.street_office.get(street_id)
            elif rule.target == RuleTarget.DISTRICT_OF_LOCATION:
                unit = self.district_gov.get(district_id)
            else:
                unit = self.unit_of(rule.unit_id)
            if unit is not None:
                return unit, f"按职责规则：{rule.reason}"
        fallback = self.district_gov[district_id]
        return fallback, f"无匹配的职责规则，由属地区政府兜底（{fallback.name}）"


class HistoryWriter:
    def __init__(
        self,
        units: UnitDirectory,
        addresses: Sequence[tuple[int, AddressLayout]],
        *,
        seed: int,
        end: date,
        days: int,
    ) -> None:
        self.units = units
        self.addresses = addresses
        self.rng = random.Random(seed * 7919 + days)
        self.seed = seed
        self.end = end
        self.days = [end - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
        self.now = clock.now()
        self.area_ids = dict(Area.objects.values_list("code", "pk"))
        self.categories = {
            tuple(c.path.split(PATH_SEPARATOR)): c.pk for c in Category.objects.all()
        }
        self.profiles = [p for p in texts.CATEGORY_PROFILES if tuple(p.path) in self.categories]
        self.used_codes: set[str] = set()
        self.quality: dict[int, float] = {}  # per-unit quality, so rankings differ

    # -- choosing what happens ------------------------------------------------------------
    def _day_weights(self) -> list[float]:
        return [sum(rhythm.day_weight(p, day) for p in self.profiles) for day in self.days]

    @lru_cache(maxsize=4096)  # noqa: B019 - one writer per run, bounded by days × profiles
    def _profile_cumulative(self, month: int, weekday: int) -> list[float]:
        total, cumulative = 0.0, []
        for profile in self.profiles:
            total += max(texts.seasonal_weight(profile, month, weekday), 1e-9)
            cumulative.append(total)
        return cumulative

    def _pick_profile(self, day: date) -> Any:
        # holidays and the trend scale every profile alike: the month and the weekday the day
        # follows decide which category the appeal is
        cumulative = self._profile_cumulative(day.month, rhythm.effective_weekday(day))
        return self.profiles[bisect.bisect(cumulative, self.rng.random() * cumulative[-1])]

    def _code(self, at: datetime) -> str:
        day = clock.local_date(at)
        while True:
            code = f"{day:%y%m%d}" + "".join(self.rng.choice(CODE_ALPHABET) for _ in range(6))
            if code not in self.used_codes:
                self.used_codes.add(code)
                return code

    def _unit_quality(self, unit: UnitInfo) -> float:
        if unit.pk not in self.quality:
            self.quality[unit.pk] = random.Random(self.seed + unit.pk).uniform(0.72, 0.96)
        return self.quality[unit.pk]

    # -- the write ---------------------------------------------------------------------------
    def write(self, total: int, progress: Callable[[int, int, str], None]) -> dict[str, int]:
        existing = set(Appeal.objects.values_list("tracking_code", flat=True)[:2_000_000])
        self.used_codes |= existing
        incidents, incident_plan = self._plan_incidents(total)
        citizens = max(50, total)
        frequent_callers = max(5, citizens // 50)
        day_weights = self._day_weights()
        day_cumulative = []
        running = 0.0
        for weight in day_weights:
            running += weight
            day_cumulative.append(running)
        planned: list[tuple[date, Any, tuple[int, AddressLayout], DemoIncident | None, int | None]]
        planned = []
        for incident, profile, address, days, group in incident_plan:
            for _ in range(incident.extra_appeals):
                planned.append((self.rng.choice(days), profile, address, incident, group))
        for _ in range(max(0, total - len(planned))):
            day = self.days[bisect.bisect(day_cumulative, self.rng.random() * running)]
            planned.append(
                (day, self._pick_profile(day), self.rng.choice(self.addresses), None, None)
            )
        planned.sort(key=lambda item: item[0])
        written = {"appeals": 0, "events": 0, "incidents": len(incidents)}
        for start in range(0, len(planned), CHUNK):
            lives = []
            for day, profile, address, incident, group in planned[start : start + CHUNK]:
                # most people call once or twice; a few (高频来电人) call again and again
                if self.rng.random() < 0.15:
                    citizen = self.rng.randrange(frequent_callers)
                else:
                    citizen = self.rng.randrange(citizens)
                lives.append(self._simulate(day, profile, address, incident, group, citizen))
            written["events"] += self._flush(lives)
            written["appeals"] += len(lives)
            progress(written["appeals"], len(planned), "appeals")
        return written

    def _plan_incidents(self, total: int) -> tuple[list[DemoIncident], list[Any]]:
        count = max(2, total // 2000) if total >= 200 else 0
        incidents, plan = [], []
        group_base = (
            DemoAppealTruth.objects.order_by("-duplicate_group")
            .values_list("duplicate_group", flat=True)
            .first()
            or 0
        ) + 1
        for number in range(count):
            profile = self.rng.choice(self.profiles)
            address = self.rng.choice(self.addresses)
            start = self.rng.choice(self.days[: max(1, len(self.days) - 3)])
            # sizes vary as real incidents do: from a few extra calls a day for two days to a
            # week-long run of many (the early-warning evaluation needs easy and hard ones)
            span = [start + timedelta(days=d) for d in range(self.rng.randint(2, 7))]
            span = [d for d in span if d <= self.end]
            extra_per_day = self.rng.uniform(1.5, 6.0)
            incident = DemoIncident.objects.create(
                seed=self.seed,
                category_id=self.categories[tuple(profile.path)],
                grid_id=self.area_ids[address[1].grid_code],
                starts_on=span[0],
                ends_on=span[-1],
                extra_appeals=max(3, round(extra_per_day * len(span))),
                description=f"{address[1].full_text} {profile.path[-1]} 集中反映",
            )
            incidents.append(incident)
            plan.append((incident, profile, address, span, group_base + number))
        return incidents, plan

    def _simulate(
        self,
        day: date,
        profile: Any,
        address: tuple[int, AddressLayout],
        incident: DemoIncident | None,
        group: int | None,
        citizen: int,
    ) -> Life:
        return simulate_life(self, self.rng, day, profile, address, incident, group, citizen)

    @transaction.atomic
    def _flush(self, lives: list[Life]) -> int:
        ids: dict[type[Model], int] = {model: next_id(model) for model in FLUSHED}
        rows: dict[type[Model], list[dict[str, Any]]] = {model: [] for model in FLUSHED}
        appeal_rows, events, assignments, callbacks, orders, truths = rows.values()
        for offset, life in enumerate(lives):
            appeal_id = ids[Appeal] + offset
            caller_name = life.fields["caller_name"]
            appeal_rows.append({"id": appeal_id, **life.fields, **public_fields(life.fields)})
            for event in life.events:
                event["public_note"] = public_version(event["reason"], caller_name=caller_name)
            for callback in life.callbacks:
                callback["public_comment"] = public_version(
                    callback.get("comment", ""), caller_name=caller_name
                )
            for table, items in (
                (events, life.events),
                (assignments, life.assignments),
                (callbacks, life.callbacks),
                (orders, life.supervision),
            ):
                table.extend({"appeal_id": appeal_id, **item} for item in items)
            truths.append({"appeal_id": appeal_id, **life.truth})
        for model, table_rows in rows.items():
            start = ids[model]
            if model is not Appeal:
                for number, row in enumerate(table_rows):
                    row["id"] = start + number
            insert_rows(model, table_rows)
        reset_sequences(*FLUSHED)
        return len(events)

    # helpers used by the lifecycle simulation
    @lru_cache(maxsize=1024)  # noqa: B019
    def policy(self, category_id: int, urgency: str, is_complex: bool) -> Any:
        return choose_policy(Category.objects.get(pk=category_id), urgency, is_complex)

    def deadline(self, start: datetime, amount: int, unit: str) -> datetime:
        return add_duration(start, amount, unit)
