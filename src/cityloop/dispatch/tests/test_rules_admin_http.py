"""Responsibility rules as the administrator edits them in /admin/, seen where the call-taker
meets them: the unit `POST /api/appeals` dispatches to, and the reason it gives."""

from __future__ import annotations

import pytest

from cityloop.dispatch.models import ResponsibilityRule, RuleTarget
from cityloop.testing import admin_save, config_caches_expire, intake_over_api

# throttle windows and cache epochs must not turn over in the middle of a test
pytestmark = pytest.mark.usefixtures("still_clocks")

RULES = "/admin/dispatch/responsibilityrule"


def dispatched_to(city) -> tuple[str, str]:
    created = intake_over_api(city, auto_dispatch=True)
    assert created.status_code == 201, created.content
    body = created.json()
    unit = body["main_unit"]["code"] if body["main_unit"] else None
    return unit, body["dispatch_reason"].removeprefix("按职责规则：")


def test_a_rule_the_admin_adds_changes_where_intake_dispatches(city, monkeypatch):
    assert dispatched_to(city) == (city.street_offices[0].code, "市政管理问题由属地街道负责")

    lights = city.category("城乡建设", "城市建设和市政管理", "城市公共设施")
    admin_save(
        city.admin_client(),
        f"{RULES}/add/",
        category=lights.pk,
        target=RuleTarget.UNIT,
        unit=city.cityops.pk,
        priority=20,
        reason="路灯由市城管委直管",
    )
    # each process keeps the rules it read for up to TTL_SECONDS (core/cache.py)
    assert dispatched_to(city)[0] == city.street_offices[0].code
    config_caches_expire(monkeypatch)
    assert dispatched_to(city) == ("CGW", "路灯由市城管委直管")


def test_a_rule_the_admin_switches_off_no_longer_dispatches(city):
    street_rule = ResponsibilityRule.objects.get(reason="市政管理问题由属地街道负责")
    admin_save(city.admin_client(), f"{RULES}/{street_rule.pk}/change/", is_active=False)
    # with no rule for the category, the district government of the place takes it
    assert dispatched_to(city) == (
        city.district_gov.code,
        "无匹配的职责规则，由属地区政府兜底（朝阳区人民政府）",
    )


def test_a_rule_for_the_district_of_the_place_sends_to_the_district_government(city):
    lights = city.category("城乡建设", "城市建设和市政管理", "城市公共设施")
    admin_save(
        city.admin_client(),
        f"{RULES}/add/",
        category=lights.pk,
        area=city.district.pk,
        target=RuleTarget.DISTRICT_OF_LOCATION,
        priority=20,
        reason="朝阳区路灯由区政府统一维护",
    )
    assert dispatched_to(city) == (city.district_gov.code, "朝阳区路灯由区政府统一维护")
