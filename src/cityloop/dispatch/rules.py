"""Choosing the responsible unit for a category and a place, and saying why."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from cityloop.dispatch.models import ResponsibilityRule, RuleTarget
from cityloop.geo.models import Area, AreaLevel
from cityloop.geo.services import ancestor_at, ancestors
from cityloop.kernel.cache import config_cache
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


def choose_unit(
    category: Category | None, area: Area | None, *, avoid: Collection[Unit] = ()
) -> DispatchDecision:
    """The unit the rules make responsible, passing over the units in `avoid` (those that
    sent the appeal back: 退单 means "not ours", so it must not go straight back to them).
    When no unit is found, the reason says what is missing (category, place or a rule)."""
    lineage = category.lineage_ids() if category else []
    area_chain = [a.pk for a in ancestors(area)] if area else []
    avoided = {unit.pk for unit in avoid}
    passed_over: list[Unit] = []
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
        if unit is None:
            continue
        if unit.pk in avoided:
            passed_over.append(unit)
            continue
        reason = _("按职责规则：%(reason)s") % {"reason": rule.reason}
        return DispatchDecision(unit, rule, _after_send_back(reason, passed_over))
    # The district government backs up a known problem no rule covers; an appeal whose
    # category is unknown waits for a person to classify it instead.
    fallback = (
        _territorial_unit(area, AreaLevel.DISTRICT, UnitKind.DISTRICT_GOVERNMENT)
        if category is not None
        else None
    )
    if fallback is not None and fallback.pk not in avoided:
        reason = _("无匹配的职责规则，由属地区政府兜底（%(unit)s）") % {"unit": fallback.name}
        return DispatchDecision(fallback, None, _after_send_back(reason, passed_over))
    if fallback is not None:
        passed_over.append(fallback)
    return DispatchDecision(None, None, _why_no_unit(category, area, passed_over))


def _after_send_back(reason: str, passed_over: list[Unit]) -> str:
    if not passed_over:
        return reason
    names = "、".join(dict.fromkeys(unit.name for unit in passed_over))
    return _("%(names)s已退单，改由下一责任单位办理。%(reason)s") % {
        "names": names,
        "reason": reason,
    }


def _why_no_unit(category: Category | None, area: Area | None, passed_over: list[Unit]) -> str:
    if passed_over:
        names = "、".join(dict.fromkeys(unit.name for unit in passed_over))
        return _("按规则应办理的单位（%(names)s）已退单，需派单员人工派单") % {"names": names}
    if category is None and area is None:
        return _("尚未确定分类，且未能定位到网格：请先确定分类和位置")
    if category is None:
        return _("尚未确定分类：请先确定分类")
    if area is None:
        return _("未能定位到网格，无法按属地派单：请先确定位置")
    return _("该分类在此位置没有匹配的职责规则，需派单员人工派单")


def decisions_for(category_codes: Iterable[str], area: Area | None) -> dict[str, DispatchDecision]:
    """The unit the rules would choose for each of these categories at this place (the
    suggestions a person sees before deciding)."""
    categories = Category.objects.in_bulk([c for c in category_codes if c], field_name="code")
    return {code: choose_unit(category, area) for code, category in categories.items()}
