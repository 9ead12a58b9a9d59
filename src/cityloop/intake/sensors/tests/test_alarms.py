"""A device's alarms become one appeal at the device, with the facility's unit; repeats fold
into it, an all-clear is recorded, and nothing floods."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cityloop.appeals.enums import Channel, Status
from cityloop.appeals.models import Appeal
from cityloop.handling.services import reply, sign_for
from cityloop.intake.sensors import alarms
from cityloop.intake.sensors.alarms import Alarm, report_alarm, sensor_actor
from cityloop.intake.sensors.models import Facility, FacilityKind, SensorCase
from cityloop.kernel import clock
from cityloop.kernel.errors import DomainError, NotFound
from cityloop.testing import TinyCity

pytestmark = pytest.mark.django_db

ACTOR = sensor_actor("区智慧路灯平台")


def make_facility(city: TinyCity, code: str = "LD-0001", **fields: object) -> Facility:
    address = city.addresses[0]
    values: dict[str, object] = {
        "kind": FacilityKind.STREETLIGHT,
        "name": "光华路1号院路灯",
        "lat": address.lat,
        "lng": address.lng,
        "grid": address.grid,
        "standard_address": address,
        # not the unit the responsibility rules would choose (the street office)
        "unit": city.cityops,
        "category": city.category("城乡建设", "城市建设和市政管理", "城市公共设施"),
        **fields,
    }
    return Facility.objects.create(code=code, **values)


def alarm(code: str = "LD-0001", kind: str = "灯具不亮", reading: str = "0 lx", **more: object):
    return report_alarm(Alarm(code, kind, reading, **more), actor=ACTOR)  # type: ignore[arg-type]


def actions(appeal: Appeal) -> list[str]:
    return list(appeal.events.order_by("seq").values_list("action", flat=True))


def test_the_first_alarm_opens_an_appeal_at_the_device_with_its_unit(city: TinyCity) -> None:
    facility = make_facility(city)
    result = alarm()
    assert result.result == alarms.OPENED and result.alarm_count == 1
    appeal = Appeal.objects.get(tracking_code=result.tracking_code)
    assert appeal.channel == Channel.SENSOR and appeal.status == Status.DISPATCHED
    assert appeal.main_unit == city.cityops
    assert appeal.standard_address == facility.standard_address
    assert (appeal.lat, appeal.lng) == (facility.lat, facility.lng)
    assert "LD-0001" in appeal.address_text and "LD-0001" in appeal.content
    assert "0 lx" in appeal.content
    assert actions(appeal)[0] == "receive" and actions(appeal)[-1] == "dispatch"
    dispatch = appeal.events.get(action="dispatch")
    assert "LD-0001" in dispatch.reason and dispatch.actor_name == "物联感知：区智慧路灯平台"


def test_a_thousand_alarms_make_one_appeal_and_are_counted(city: TinyCity) -> None:
    make_facility(city)
    start = clock.now()
    with clock.frozen_at(start):
        first = alarm(reading="0 lx")
        events_after_first = len(actions(Appeal.objects.get()))
        for i in range(1, 1000):
            result = alarm(reading=f"{i} lx")
    assert Appeal.objects.count() == 1 and result.tracking_code == first.tracking_code
    assert result.result == alarms.FOLDED and result.alarm_count == 1000
    case = SensorCase.objects.get()
    assert case.alarm_count == 1000 and case.last_reading == "999 lx"
    appeal = Appeal.objects.get()
    # within the summary interval the timeline is not flooded
    assert len(actions(appeal)) == events_after_first
    with clock.frozen_at(start + alarms.FOLD_EVENT_EVERY):
        alarm(reading="2 lx")
    event = appeal.events.order_by("seq").last()
    assert event is not None and event.action == "sensor_alarm"
    assert event.changes["alarm_count"] == [None, 1001]
    assert event.changes["reading"] == [None, "2 lx"]
    assert "1001" in event.reason and "2 lx" in event.reason
    assert Appeal.objects.get().status == Status.DISPATCHED  # a note, not a status change


def test_another_alarm_type_is_written_at_once(city: TinyCity) -> None:
    make_facility(city)
    alarm(kind="灯具不亮")
    alarm(kind="灯杆倾斜", reading="12°")
    event = Appeal.objects.get().events.order_by("seq").last()
    assert event is not None and event.action == "sensor_alarm"
    assert event.changes["alarm_type"] == [None, "灯杆倾斜"]


def test_an_all_clear_is_recorded_and_a_new_alarm_after_it_is_written(city: TinyCity) -> None:
    make_facility(city)
    opened = alarm()
    alarm()
    cleared = alarm(kind="", reading="35 lx", cleared=True)
    assert cleared.result == alarms.CLEARED and cleared.tracking_code == opened.tracking_code
    appeal = Appeal.objects.get()
    event = appeal.events.order_by("seq").last()
    assert event is not None and event.action == "sensor_clear"
    assert event.changes["alarm_count"] == [None, 2] and "35 lx" in event.reason
    assert appeal.status == Status.DISPATCHED  # the unit still checks and replies
    case = SensorCase.objects.get()
    assert case.cleared_at is not None and case.last_reading == "35 lx"
    alarm(reading="0 lx")
    assert Appeal.objects.get().events.order_by("seq").last().action == "sensor_alarm"  # type: ignore[union-attr]
    assert SensorCase.objects.get().cleared_at is None


def test_an_all_clear_with_nothing_open_changes_nothing(city: TinyCity) -> None:
    make_facility(city)
    result = alarm(kind="", cleared=True)
    assert result.result == alarms.NOTHING_OPEN and result.tracking_code is None
    assert not Appeal.objects.exists() and not SensorCase.objects.exists()


def test_after_the_unit_replies_the_next_alarm_opens_a_new_appeal(city: TinyCity) -> None:
    make_facility(city)
    first = alarm()
    handler = city.actor("cgw")
    sign_for(first.tracking_code, actor=handler)  # type: ignore[arg-type]
    reply(first.tracking_code, actor=handler, text="已更换灯具，恢复照明")  # type: ignore[arg-type]
    again = alarm()
    assert again.result == alarms.OPENED and again.tracking_code != first.tracking_code
    assert list(SensorCase.objects.order_by("pk").values_list("is_open", flat=True)) == [
        False,
        True,
    ]


def test_unknown_inactive_and_bad_alarms_are_refused_before_anything_is_written(
    city: TinyCity,
) -> None:
    make_facility(city)
    make_facility(city, code="LD-OFF", is_active=False)
    with pytest.raises(NotFound, match="unknown_device"):
        alarm(code="NOPE")
    with pytest.raises(NotFound, match="unknown_device"):
        alarm(code="LD-OFF")
    with pytest.raises(DomainError, match="invalid_alarm_type"):
        alarm(kind="  ")
    with pytest.raises(DomainError, match="invalid_at"):
        alarm(at=clock.now() + timedelta(hours=1))
    with pytest.raises(DomainError, match="invalid_reading"):
        alarm(reading="9" * 61)
    assert not Appeal.objects.exists()


def test_a_second_case_is_refused_by_the_database_and_the_alarm_folds(
    city: TinyCity, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What two alarms at once would do where the row lock does not hold: the second one
    looked before the first committed, found nothing open and tries to open a case too."""
    make_facility(city)
    alarm()
    real, looked = alarms.open_case, []

    def blind_first_look(facility: Facility) -> SensorCase | None:
        looked.append(facility.code)
        return None if len(looked) == 1 else real(facility)

    monkeypatch.setattr(alarms, "open_case", blind_first_look)
    result = alarm()
    assert result.result == alarms.FOLDED and result.alarm_count == 2
    assert Appeal.objects.count() == 1 and SensorCase.objects.count() == 1
    assert looked == ["LD-0001", "LD-0001"]  # refused once, then taken as a repeat


def test_the_unit_sees_the_folded_alarms_on_the_appeal_page(city: TinyCity) -> None:
    make_facility(city)
    opened = alarm()
    alarm(kind="灯杆倾斜", reading="12°")
    alarm(kind="", reading="35 lx", cleared=True)
    page = city.client("cgw").get(f"/appeals/{opened.tracking_code}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "重复告警" in text and "告警解除" in text and "12°" in text
