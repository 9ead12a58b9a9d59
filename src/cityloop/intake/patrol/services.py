"""网格员巡查上报: a grid worker reports a problem found on patrol, with photos and the
device's location, either handled on the spot (自行处置) or sent into the loop (上报派单).

Both become an appeal of channel grid_patrol through intake's one way in (receive_appeal),
and every later step goes through the stages' services, which check the transition table and
record the events. The on-spot path (docs/decisions/0010-patrol-on-spot.md):

  受理 receive   — the patrol channel, on the worker's behalf (created_by: the worker)
  派单 dispatch  — to the worker's own street office, "网格员自行处置"
  签收 sign_for  — the worker, for their street office
  办结答复 reply — the worker, for their street office: what was done (after photos)
  关闭 close     — the system: there is no caller to call back (outcome 已答复)

all in one transaction: a refused step (a reply the reply check finds weak, say) leaves
nothing behind."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityloop.access.actors import SYSTEM, Actor
from cityloop.appeals.enums import AppealType, Channel, Status
from cityloop.dispatch.services import dispatch
from cityloop.geo.models import Area, AreaLevel
from cityloop.geo.services import ancestor_at, locate
from cityloop.handling.attachments import attach, check_uploads
from cityloop.handling.services import close, reply, sign_for
from cityloop.intake.patrol.models import (
    LocationSource,
    PatrolAssignment,
    PatrolPhoto,
    PatrolReport,
    PhotoStage,
)
from cityloop.intake.services import AppealDraft, receive_appeal
from cityloop.kernel import clock
from cityloop.kernel.errors import NotFound, PermissionDenied, invalid_field
from cityloop.org.models import Role

# a report may be filed after the patrol, not weeks later
MAX_REPORT_DELAY = timedelta(days=7)
MAX_TEXT = 2000
ON_SPOT_EVIDENCE = gettext_lazy("网格员现场自行处置，处置前后照片为证")


@dataclass
class PatrolDraft:
    """What the worker's phone sends."""

    text: str
    lat: float | None
    lng: float | None
    handled_on_spot: bool
    location_source: str = LocationSource.DEVICE
    accuracy_m: float | None = None
    category_code: str = ""
    found_at: datetime | None = None
    action_taken: str = ""
    before: Sequence[Any] = field(default_factory=tuple)
    after: Sequence[Any] = field(default_factory=tuple)


def assignment_of(actor: Actor) -> PatrolAssignment:
    """The grid the acting grid worker patrols; anyone else is refused."""
    if actor.role != Role.GRID_WORKER:
        raise PermissionDenied("not_grid_worker", _("只有网格员可以巡查上报"))
    found = PatrolAssignment.objects.select_related("grid").filter(worker=actor.user).first()
    if found is None:
        raise PermissionDenied("no_grid", _("您还没有分配负责的网格，请联系管理员"))
    return found


@transaction.atomic
def assign_grid(username: str, grid_code: str, *, actor: Actor) -> PatrolAssignment:
    """Give a grid worker their grid (administrators only). The grid must lie in the area of
    the street office the worker works for, which is the unit that handles what they fix."""
    if actor.role not in (Role.ADMIN, SYSTEM):
        raise PermissionDenied("role_not_allowed", _("只有管理员可以分配网格"))
    user = get_user_model().objects.filter(username=username).first()
    grid = Area.objects.filter(code=grid_code, level=AreaLevel.GRID).first()
    if user is None:
        raise NotFound("unknown_user", _("账号不存在：%(value)s"), value=username)
    if grid is None:
        raise NotFound("unknown_grid", _("网格不存在：%(value)s"), value=grid_code)
    assignment = PatrolAssignment.objects.filter(worker=user).first() or PatrolAssignment(
        worker=user
    )
    assignment.grid, assignment.since = grid, clock.now()
    try:
        assignment.clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise invalid_field(field, messages[0]) from None
    assignment.save()
    return assignment


def _check(draft: PatrolDraft, actor: Actor) -> tuple[float, float, datetime]:
    """Refuse bad input before anything is written; where the problem is, and when it was
    found."""
    text = draft.text.strip()
    if not text:
        raise invalid_field("text", _("请描述发现的问题"))
    if len(text) > MAX_TEXT:
        raise invalid_field("text", _("问题描述不能超过 %(n)s 字"), n=MAX_TEXT)
    if draft.location_source not in LocationSource.values:
        raise invalid_field("location", _("未知的定位方式：%(value)s"), value=draft.location_source)
    if draft.lat is None or draft.lng is None:
        raise invalid_field("location", _("请获取手机定位，或在地图上点选问题位置"))
    if not (math.isfinite(draft.lat) and math.isfinite(draft.lng)):
        raise invalid_field("location", _("经纬度须为数字"))
    place = locate(draft.lat, draft.lng)
    if place is None:
        raise invalid_field("location", _("该位置不在本市任何网格内，请在地图上重新点选"))
    now = clock.now()
    found_at = draft.found_at or now
    if found_at > now + timedelta(minutes=5):
        raise invalid_field("found_at", _("发现时间不能晚于现在"))
    if found_at < now - MAX_REPORT_DELAY:
        raise invalid_field("found_at", _("发现时间不能早于 7 天前"))
    if not draft.before:
        raise invalid_field("before", _("请拍摄或选择至少一张现场照片"))
    check_uploads(draft.before)
    if draft.handled_on_spot:
        if not draft.action_taken.strip():
            raise invalid_field("action_taken", _("自行处置须填写处置情况"))
        if len(draft.action_taken) > MAX_TEXT:
            raise invalid_field("action_taken", _("处置情况不能超过 %(n)s 字"), n=MAX_TEXT)
        if not draft.after:
            raise invalid_field("after", _("自行处置须上传处置后的照片"))
        check_uploads(draft.after)
        street = actor.unit.area if actor.unit is not None else None
        if street is None or ancestor_at(place, AreaLevel.STREET) != street:
            raise invalid_field(
                "handled_on_spot",
                _("该位置不在本街道辖区内，不能自行处置，请上报派单"),
            )
    elif draft.after:
        raise invalid_field("after", _("只有自行处置才上传处置后的照片"))
    return draft.lat, draft.lng, found_at


def _channel_actor(worker: Actor) -> Actor:
    """The patrol channel receiving on the worker's behalf: the events and the appeal name
    the worker (created_by, actor), the step is the channel's own, as a sensor or the
    citizen portal receives without a call-taker."""
    return Actor(SYSTEM, worker.name, worker.user, worker.unit)


def _for_street_office(worker: Actor) -> Actor:
    """The worker signing for and replying for the street office they work for: the unit's
    steps of the transition table, taken by the person who did the work."""
    return Actor(Role.HANDLER, worker.name, worker.user, worker.unit)


def _keep_photos(report: PatrolReport, stage: str, uploads: Sequence[Any], by: Actor) -> None:
    if not uploads:
        return
    for attachment in attach(report.appeal.tracking_code, actor=by, uploads=uploads):
        PatrolPhoto.objects.create(report=report, attachment=attachment, stage=stage)


def report_problem(draft: PatrolDraft, *, actor: Actor) -> PatrolReport:
    """巡查上报. Sent into the loop: received and dispatched by the rules like any appeal.
    Handled on the spot: received, dispatched to the worker's street office, signed for,
    replied with what was done and closed — recorded step by step, in one transaction."""
    assignment = assignment_of(actor)
    lat, lng, found_at = _check(draft, actor)
    channel = _channel_actor(actor)
    appeal_draft = AppealDraft(
        channel=Channel.GRID_PATROL,
        title="",
        content=draft.text.strip(),
        caller_name=actor.name,
        lat=lat,
        lng=lng,
        category_code=draft.category_code,
        # a problem found on the street is work to be done, never typed from the words
        appeal_type=AppealType.HELP,
    )
    with transaction.atomic():
        appeal = receive_appeal(
            appeal_draft, actor=channel, auto_dispatch=not draft.handled_on_spot
        )
        report = PatrolReport.objects.create(
            worker=actor.user,
            worker_name=actor.name[:100],
            grid=assignment.grid,
            found_at=found_at,
            reported_at=clock.now(),
            lat=lat,
            lng=lng,
            location_source=draft.location_source,
            accuracy_m=draft.accuracy_m,
            text=draft.text.strip(),
            category=appeal.category,
            handled_on_spot=draft.handled_on_spot,
            action_taken=draft.action_taken.strip(),
            appeal=appeal,
        )
        _keep_photos(report, PhotoStage.BEFORE, draft.before, channel)
        if draft.handled_on_spot:
            _handle_on_spot(report, draft, actor)
    return report


def _handle_on_spot(report: PatrolReport, draft: PatrolDraft, worker: Actor) -> None:
    assert worker.unit is not None  # _check refused a worker without a street
    code = report.appeal.tracking_code
    why = _("网格员%(name)s巡查发现并自行处置") % {"name": worker.name}
    dispatch(code, actor=_channel_actor(worker), unit_code=worker.unit.code, reason=why)
    office = _for_street_office(worker)
    sign_for(code, actor=office)
    _keep_photos(report, PhotoStage.AFTER, draft.after, office)
    # The reply check weighs how a reply answers a caller; here there is none, and the
    # before/after photos show the work. Under the "confirm" gate the worker's choice of
    # 自行处置 with photos is the confirmation, recorded on the reply event as such.
    replied = reply(
        code, actor=office, text=draft.action_taken.strip(), confirm_reason=str(ON_SPOT_EVIDENCE)
    )
    # With the reply gate set to "block", a weak account waits for a supervisor's review
    # like any unit's reply; it is closed when accepted, by the supervisor's normal steps.
    if replied.status == Status.REPLIED:
        close(code, actor=Actor.system(), reason=_("网格员自行处置，无诉求人回访"))
    report.appeal.refresh_from_db()
