"""Working-day arithmetic on the official calendar: holidays, 调休 and admin-added years."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from cityloop.sla.calendar import add_duration, add_working_days, add_working_hours, is_workday
from cityloop.sla.models import TimeUnit, WorkCalendarDay


def at(*parts: int) -> datetime:
    return timezone.make_aware(datetime(*parts), timezone.get_current_timezone())


def test_spring_festival_2026_and_its_make_up_saturdays(city):
    # 2026: Feb 15–23 off; Saturday Feb 14 and Saturday Feb 28 are 调休 working days.
    assert is_workday(date(2026, 2, 14)) is True
    assert is_workday(date(2026, 2, 17)) is False
    assert is_workday(date(2026, 2, 28)) is True
    assert is_workday(date(2026, 3, 1)) is False  # an ordinary Sunday
    # Received Friday Feb 13 at 15:00: working days are Feb 14 (Sat, 调休), then Feb 24, 25,
    # 26, 27, 28 (Sat, 调休) and Mar 2 → the 7th is Monday Mar 2 at 15:00.
    assert add_working_days(at(2026, 2, 13, 15, 0), 7) == at(2026, 3, 2, 15, 0)
    # Received during the holiday: the clock starts at 00:00 on Tuesday Feb 24, so one working
    # day runs out at the end of Feb 24.
    assert add_working_days(at(2026, 2, 18, 10, 0), 1) == at(2026, 2, 25, 0, 0)


def test_working_hours_skip_the_holiday(city):
    # 20 working hours from Friday Feb 13 20:00: 4 h on Feb 13, 16 h on Saturday Feb 14 (调休).
    assert add_working_hours(at(2026, 2, 13, 20, 0), 20) == at(2026, 2, 14, 16, 0)
    # 30 hours: 4 + 24 on the 13th/14th, then the holiday is skipped until Tuesday Feb 24.
    assert add_working_hours(at(2026, 2, 13, 20, 0), 30) == at(2026, 2, 24, 2, 0)
    assert add_duration(at(2026, 2, 13, 20, 0), 2, TimeUnit.NATURAL_HOURS) == at(2026, 2, 13, 22)


def test_admins_add_years_the_package_does_not_know(city):
    # 2027 is past what chinese_calendar knows: weekdays count until an admin says otherwise.
    new_year = date(2027, 1, 1)
    assert is_workday(new_year) is True
    WorkCalendarDay.objects.create(date=new_year, is_workday=False, name="元旦")
    WorkCalendarDay.objects.create(date=date(2027, 1, 2), is_workday=True, name="元旦调休")
    assert is_workday(new_year) is False
    assert is_workday(date(2027, 1, 2)) is True  # a Saturday made a working day
    assert add_working_days(at(2026, 12, 31, 9, 0), 1) == at(2027, 1, 2, 9, 0)


def test_reference_seed_copies_the_package_calendar(city):
    row = WorkCalendarDay.objects.get(date=date(2026, 2, 14))
    assert row.is_workday and row.source == "package"
    assert WorkCalendarDay.objects.filter(date=date(2026, 10, 1), is_workday=False).exists()


def test_deadline_of_an_appeal_received_before_spring_festival(city):
    from cityloop.kernel import clock

    with clock.frozen_at(at(2026, 2, 13, 15, 0)):
        appeal = city.receive(title="t", content="路灯坏了")
    assert appeal.reply_due_at == at(2026, 3, 2, 15, 0)
    assert appeal.sla_policy.name.startswith("一般诉求")
