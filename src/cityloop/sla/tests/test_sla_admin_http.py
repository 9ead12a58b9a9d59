"""Deadline policies and the working-day calendar as the administrator edits them in
/admin/, seen on the deadlines of the appeals the call-taker takes afterwards."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from cityloop.kernel import clock
from cityloop.sla.models import TimeUnit, WorkCalendarDay
from cityloop.testing import admin_save, config_caches_expire, instant, intake_over_api

# throttle windows and cache epochs must not turn over in the middle of a test
pytestmark = pytest.mark.usefixtures("still_clocks")


def local(*parts: int) -> datetime:
    return timezone.make_aware(datetime(*parts), timezone.get_current_timezone())


def reply_due(city) -> datetime:
    """Take and dispatch a street-light appeal now; its reply deadline as the API shows it."""
    created = intake_over_api(city, auto_dispatch=True)
    assert created.status_code == 201, created.content
    code = created.json()["tracking_code"]
    shown = city.client("calltaker").get(f"/api/appeals/{code}").json()
    return instant(shown["reply_due_at"])


# Friday 4 June 2027, 10:00: past the years the holiday package knows, so only the
# administrators' calendar rows make exceptions to Monday–Friday.
FRIDAY = local(2027, 6, 4, 10, 0)


def test_a_saturday_the_admin_makes_a_working_day_brings_the_deadline_forward(city):
    with clock.frozen_at(FRIDAY):
        # 7 working days: Mon 7 … Fri 11, Mon 14, Tue 15
        assert reply_due(city) == local(2027, 6, 15, 10, 0)
        admin_save(
            city.admin_client(),
            "/admin/sla/workcalendarday/add/",
            date="2027-06-05",
            is_workday=True,
            name="调休上班",
        )
        assert WorkCalendarDay.objects.get(date="2027-06-05").is_workday
        # Saturday 5 now counts: the 7th working day is Monday 14
        assert reply_due(city) == local(2027, 6, 14, 10, 0)


def test_a_weekday_the_admin_makes_a_holiday_pushes_the_deadline_back(city):
    with clock.frozen_at(FRIDAY):
        admin_save(
            city.admin_client(),
            "/admin/sla/workcalendarday/add/",
            date="2027-06-09",
            is_workday=False,
            name="端午节",
        )
        assert reply_due(city) == local(2027, 6, 16, 10, 0)


def test_a_policy_the_admin_adds_sets_the_deadlines_of_its_category(city, monkeypatch):
    lights = city.category("城乡建设", "城市建设和市政管理", "城市公共设施")
    with clock.frozen_at(FRIDAY):
        admin_save(
            city.admin_client(),
            "/admin/sla/slapolicy/add/",
            name="路灯（3个自然日）",
            category=lights.pk,
            sign_within=30,
            sign_unit=TimeUnit.NATURAL_MINUTES,
            reply_within=3,
            reply_unit=TimeUnit.NATURAL_DAYS,
            priority=50,
        )
        # each process keeps the policies it read for up to TTL_SECONDS (core/cache.py)
        config_caches_expire(monkeypatch)
        assert reply_due(city) == FRIDAY + timedelta(days=3)
