"""Choosing the responsible unit for a category and a place, and saying why."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from cityloop.core.cache import config_cache
from cityloop.dispatch.models import ResponsibilityRule, RuleTarget
from cityloop.geo.models import Area, AreaLevel
from cityloop.geo.services import ancestor_at, ancestors
from cityloop.org.models import Unit, UnitKind
from cityloop.taxonomy.models import Category


@dataclass(frozen=True)
class DispatchDecision:
    unit: Unit | None
    rule: ResponsibilityRule | None
    reason: str


@config_cache
def _territorial_units(kind: str) -> dict[int, Unit]:
    units = Unit.objects.filter(kind=kind, is_active=True, area__isnull=False).order_by("-pk")
    return {unit.area_id: unit for unit in units if unit.area_id is not None}


@config_cache
def _active_rules() -> list[ResponsibilityRule]:
    return list(ResponsibilityRule.objects.filter(is_active=True).select_related("unit"))


def _territorial_unit(area: Area | None, level: str, kind: str) -> Unit | None:
    territory = ancestor_at(area, level)
    if territory is None:
        return None
    return _territorial_units(kind).get(territory.pk)


def _target_unit(rule: ResponsibilityRule, area: Area | None) -> Unit | None:
    if rule.target == RuleTarget.UNIT:
        return rule.unit if rule.unit and rule.unit.is_active else None
    if rule.target == RuleTarget.STREET_OF_LOCATION:
        return _territorial_unit(area, AreaLevel.STREET, UnitKind.STREET_OFFICE)
    return _territorial_unit(area, AreaLevel.DISTRICT, UnitKind.DISTRICT_GOVERNMENT)


def choose_unit(category: Category | None, area: Area | None) -> DispatchDecision:
    lineage = category.lineage_ids() if category else []
    area_chain = [a.pk for a in ancestors(area)] if area else []
    ranked = []
    for rule in _active_rules():
        if rule.category_id is not None and rule.category_id not in lineage:
            continue
        if rule.area_id is not None and rule.area_id not in area_chain:
            continue
        category_depth = len(lineage) - lineage.index(rule.category_id) if rule.category_id else 0
        area_depth = len(area_chain) - area_chain.index(rule.area_id) if rule.area_id else 0
        ranked.append(((rule.priority, category_depth, area_depth, -rule.pk), rule))
    for _rank, rule in sorted(ranked, key=lambda pair: pair[0], reverse=True):
        unit = _target_unit(rule, area)
        if unit is not None:
            return DispatchDecision(
                unit, rule, _("按职责规则：%(reason)s") % {"reason": rule.reason}
            )
    fallback = _territorial_unit(area, AreaLevel.DISTRICT, UnitKind.DISTRICT_GOVERNMENT)
    if fallback is not None:
        return DispatchDecision(
            fallback,
            None,
            _("无匹配的职责规则，由属地区政府兜底（%(unit)s）") % {"unit": fallback.name},
        )
    return DispatchDecision(None, None, _("无匹配的职责规则且位置不明，需派单员人工派单"))


def decisions_for(category_codes: Iterable[str], area: Area | None) -> dict[str, DispatchDecision]:
    """The unit the rules would choose for each of these categories at this place (the
    suggestions a person sees before deciding)."""
    categories = Category.objects.in_bulk([c for c in category_codes if c], field_name="code")
    return {code: choose_unit(category, area) for code, category in categories.items()}
