"""A device's alarm (物联感知告警) enters the loop here: the first opens an appeal that goes
straight to the facility's responsible unit, the next ones fold into it (a count and the
latest reading), and an "all clear" is recorded on it.

No flood: one device has at most one open case (a partial unique index), and its alarms are
taken one at a time (the facility row is locked first). A burst of repeats is summarised on
the timeline at most once every FOLD_EVENT_EVERY; the case row always holds the exact count
and the latest reading."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cityloop.access.actors import SYSTEM, Actor
from cityloop.appeals.enums import OPEN_STATUSES, Channel
from cityloop.appeals.models import Appeal
from cityloop.appeals.services.core import apply, lock_appeal
from cityloop.dispatch.services import dispatch_locked
from cityloop.intake.sensors.models import Facility, SensorCase
from cityloop.intake.services import AppealDraft, receive_appeal
from cityloop.kernel import clock
from cityloop.kernel.errors import NotFound, invalid_field

# Repeats within this span of the last timeline entry only update the case row.
FOLD_EVENT_EVERY = timedelta(minutes=10)
# A device's clock may run a little fast; an alarm from further ahead is refused.
CLOCK_SKEW = timedelta(minutes=10)
ALARM_TYPE_MAX = 60
READING_MAX = 60

OPENED, FOLDED, CLEARED, NOTHING_OPEN = "opened", "folded", "cleared", "nothing_open"


@dataclass(frozen=True)
class Alarm:
    device_code: str
    alarm_type: str
    reading: str = ""
    at: datetime | None = None
    cleared: bool = False


@dataclass(frozen=True)
class AlarmResult:
    result: str  # OPENED, FOLDED, CLEARED or NOTHING_OPEN
    tracking_code: str | None
    alarm_count: int


def sensor_actor(source: str) -> Actor:
    """The system, acting for the outside system that sent the alarm (named on the timeline)."""
    return Actor(SYSTEM, _("物联感知：%(source)s") % {"source": source})


def report_alarm(alarm: Alarm, *, actor: Actor) -> AlarmResult:
    """Take one alarm. Invalid input or an unknown device raises DomainError (4xx) before
    anything is written."""
    alarm = _clean(alarm)
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _take(alarm, actor)
        except IntegrityError:
            # Another alarm of the device opened its case between our look and our insert
            # (possible only where the row lock does not serialise, e.g. a database without
            # SELECT … FOR UPDATE): the index refused the second case; take it again, as a
            # repeat of the case that won.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _clean(alarm: Alarm) -> Alarm:
    code, kind, reading = alarm.device_code.strip(), alarm.alarm_type.strip(), alarm.reading
    if not code:
        raise invalid_field("device_code", _("请填写设备编码"))
    if not kind and not alarm.cleared:
        raise invalid_field("alarm_type", _("请填写告警类型"))
    if len(kind) > ALARM_TYPE_MAX:
        raise invalid_field("alarm_type", _("告警类型最多 %(max)s 个字"), max=ALARM_TYPE_MAX)
    reading = reading.strip()
    if len(reading) > READING_MAX:
        raise invalid_field("reading", _("读数最多 %(max)s 个字"), max=READING_MAX)
    at = alarm.at or clock.now()
    if at.tzinfo is None:
        raise invalid_field("at", _("告警时间须带时区，如 2026-12-01T08:00:00+08:00"))
    if at > clock.now() + CLOCK_SKEW:
        raise invalid_field("at", _("告警时间晚于当前时间"))
    return Alarm(code, kind, reading, at, alarm.cleared)


def _take(alarm: Alarm, actor: Actor) -> AlarmResult:
    facility = (
        Facility.objects.select_for_update(of=("self",))
        .select_related("unit", "category", "standard_address")
        .filter(code=alarm.device_code, is_active=True)
        .first()
    )
    if facility is None:
        raise NotFound("unknown_device", _("未登记的设备编码：%(code)s"), code=alarm.device_code)
    case = open_case(facility)
    if alarm.cleared:
        if case is None:
            return AlarmResult(NOTHING_OPEN, None, 0)
        return _clear(case, alarm, actor)
    if case is None:
        return _open(facility, alarm, actor)
    return _fold(case, alarm, actor)


def open_case(facility: Facility) -> SensorCase | None:
    """The facility's open case, locked; a case whose appeal was answered or closed since is
    closed here, so the next alarm opens a new appeal."""
    case = (
        SensorCase.objects.select_for_update(of=("self",))
        .select_related("appeal")
        .filter(facility=facility, is_open=True)
        .first()
    )
    if case is not None and case.appeal.status not in OPEN_STATUSES:
        case.is_open = False
        case.save(update_fields=["is_open"])
        return None
    return case


def _describe(facility: Facility, alarm: Alarm) -> str:
    reading = _("，读数 %(reading)s") % {"reading": alarm.reading} if alarm.reading else ""
    at = clock.local(alarm.at or clock.now())
    return _("%(kind)s %(name)s（设备编码 %(code)s）于 %(at)s 告警：%(alarm)s%(reading)s。") % {
        "kind": facility.get_kind_display(),
        "name": facility.name,
        "code": facility.code,
        "at": f"{at:%Y-%m-%d %H:%M}",
        "alarm": alarm.alarm_type,
        "reading": reading,
    }


def _open(facility: Facility, alarm: Alarm, actor: Actor) -> AlarmResult:
    """A new appeal at the device, dispatched at once to the facility's unit."""
    address = facility.standard_address
    draft = AppealDraft(
        channel=Channel.SENSOR,
        title=_("%(kind)s告警：%(name)s")
        % {"kind": facility.get_kind_display(), "name": facility.name},
        content=_describe(facility, alarm),
        lat=facility.lat,
        lng=facility.lng,
        # with a standard address the device's name is the place text; without one the map
        # point is the place (a typed text would be placed again and might disagree)
        standard_address_code=address.code if address else "",
        address_text=str(facility) if address else "",
        category_code=facility.category.code if facility.category else "",
    )
    with transaction.atomic():  # a savepoint: a refused second case takes the appeal with it
        appeal = receive_appeal(draft, actor=actor, auto_dispatch=False)
        reason = _("物联感知设备 %(code)s 的责任单位：%(unit)s") % {
            "code": facility.code,
            "unit": facility.unit.name,
        }
        dispatch_locked(appeal, actor, facility.unit, reason)
        now = clock.now()
        at = alarm.at or now
        SensorCase.objects.create(
            facility=facility,
            appeal=appeal,
            alarm_type=alarm.alarm_type,
            first_alarm_at=at,
            last_alarm_at=at,
            last_reading=alarm.reading,
            last_event_at=now,
        )
    return AlarmResult(OPENED, appeal.tracking_code, 1)


def _fold(case: SensorCase, alarm: Alarm, actor: Actor) -> AlarmResult:
    """One more alarm of the open case: counted; written on the timeline when it says
    something new (another alarm type, an alarm again after an all-clear) or when the last
    entry is FOLD_EVENT_EVERY old."""
    now, at = clock.now(), alarm.at or clock.now()
    case.alarm_count += 1
    if at >= case.last_alarm_at:
        case.last_alarm_at, case.last_reading = at, alarm.reading
    news = alarm.alarm_type != case.alarm_type or case.cleared_at is not None
    if news or now - case.last_event_at >= FOLD_EVENT_EVERY:
        appeal = lock_appeal(case.appeal.tracking_code)
        reason = _("设备再次告警（共 %(count)s 次）：%(alarm)s") % {
            "count": case.alarm_count,
            "alarm": alarm.alarm_type,
        }
        if alarm.reading:
            reason += _("，最近读数 %(reading)s") % {"reading": alarm.reading}
        apply(
            appeal,
            "sensor_alarm",
            actor,
            reason=reason,
            details={
                "alarm_count": case.alarm_count,
                "alarm_type": alarm.alarm_type,
                "reading": alarm.reading,
                "alarm_at": at.isoformat(),
            },
        )
        case.last_event_at, case.last_event_count = now, case.alarm_count
    case.alarm_type, case.cleared_at = alarm.alarm_type, None
    case.save()
    return AlarmResult(FOLDED, case.appeal.tracking_code, case.alarm_count)


def _clear(case: SensorCase, alarm: Alarm, actor: Actor) -> AlarmResult:
    """The device reports all clear: recorded on the appeal, which stays with its unit (the
    unit still checks the facility and replies)."""
    now, at = clock.now(), alarm.at or clock.now()
    appeal: Appeal = lock_appeal(case.appeal.tracking_code)
    reason = _("设备告警解除（此前共告警 %(count)s 次）") % {"count": case.alarm_count}
    if alarm.reading:
        reason += _("，读数 %(reading)s") % {"reading": alarm.reading}
    apply(
        appeal,
        "sensor_clear",
        actor,
        reason=reason,
        details={
            "alarm_count": case.alarm_count,
            "reading": alarm.reading,
            "cleared_at": at.isoformat(),
        },
    )
    case.cleared_at = at
    if alarm.reading and at >= case.last_alarm_at:
        case.last_reading = alarm.reading
    case.last_event_at, case.last_event_count = now, case.alarm_count
    case.save()
    return AlarmResult(CLEARED, appeal.tracking_code, case.alarm_count)
