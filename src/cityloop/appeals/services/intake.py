"""统一接听: every channel lands here, and dispatch (按责转办) follows."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from cityloop.appeals.actors import Actor
from cityloop.appeals.dispatch_queue import returned_units, suggest_unit
from cityloop.appeals.enums import AssignmentRole, AssignmentStatus, Channel, Status
from cityloop.appeals.events import record_event
from cityloop.appeals.models import Appeal, AppealAssignment
from cityloop.appeals.public_text import public_fields
from cityloop.appeals.services.core import apply, lock_appeal
from cityloop.appeals.services.placing import place_fields
from cityloop.appeals.services.understanding import apply_understanding, understand
from cityloop.appeals.transitions import TRANSITIONS, check
from cityloop.classify.services import record_correction
from cityloop.core import clock
from cityloop.core.errors import DomainError
from cityloop.dispatch.services import choose_unit
from cityloop.geo.models import Area, StandardAddress
from cityloop.geo.services import locate
from cityloop.org.models import Unit
from cityloop.sla.models import Urgency
from cityloop.sla.services import deadlines_for
from cityloop.taxonomy.models import Category

# No 0/O/1/I/L: codes are read out over the phone.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9\- ]{4,19}$")


def new_tracking_code(at: datetime) -> str:
    """The local date of reception (yymmdd) and six random characters."""
    day = clock.local_date(at)
    return f"{day:%y%m%d}" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


@dataclass
class AppealDraft:
    """What intake knows about a new appeal, from any channel."""

    channel: str
    title: str
    content: str
    caller_name: str = ""
    caller_phone: str = ""
    caller_id_number: str = ""
    address_text: str = ""
    lat: float | None = None
    lng: float | None = None
    standard_address_code: str = ""
    category_code: str = ""
    urgency: str = Urgency.NORMAL
    is_complex: bool = False
    received_at: datetime | None = None
    assist_unit_codes: Sequence[str] = field(default_factory=tuple)


def _invalid(field_name: str, message: object, **params: object) -> DomainError:
    error = DomainError(f"invalid_{field_name}", message, **params)  # type: ignore[arg-type]
    error.params.setdefault("field", field_name)
    return error


def _validate(draft: AppealDraft) -> tuple[Category | None, StandardAddress | None]:
    if draft.channel not in Channel.values:
        raise _invalid("channel", _("未知的受理渠道：%(value)s"), value=draft.channel)
    if not draft.content.strip():
        raise _invalid("content", _("请填写诉求内容"))
    if len(draft.content) > 5000:
        raise _invalid("content", _("诉求内容不能超过 5000 字"))
    if len(draft.title) > 200:
        raise _invalid("title", _("标题不能超过 200 字"))
    if draft.caller_phone and not PHONE_PATTERN.match(draft.caller_phone):
        raise _invalid("caller_phone", _("联系电话格式不正确：%(value)s"), value=draft.caller_phone)
    if draft.urgency not in Urgency.values:
        raise _invalid("urgency", _("未知的紧急程度：%(value)s"), value=draft.urgency)
    if (draft.lat is None) != (draft.lng is None):
        raise _invalid("location", _("经纬度须同时填写"))
    if draft.lat is not None and not (-90 <= draft.lat <= 90 and -180 <= draft.lng <= 180):  # type: ignore[operator]
        raise _invalid("location", _("经纬度超出范围"))
    category = None
    if draft.category_code:
        category = Category.objects.filter(code=draft.category_code, is_active=True).first()
        if category is None:
            raise _invalid("category", _("分类编码不存在：%(value)s"), value=draft.category_code)
    address = None
    if draft.standard_address_code:
        address = (
            StandardAddress.objects.select_related("grid")
            .filter(code=draft.standard_address_code)
            .first()
        )
        if address is None:
            raise _invalid(
                "standard_address",
                _("标准地址不存在：%(value)s"),
                value=draft.standard_address_code,
            )
    return category, address


def _place(draft: AppealDraft, address: StandardAddress | None) -> dict[str, object]:
    lat, lng = draft.lat, draft.lng
    grid: Area | None = None
    if address is not None:
        grid = address.grid
        if lat is None:
            lat, lng = address.lat, address.lng
    elif lat is not None and lng is not None:
        grid = locate(lat, lng)
    return place_fields(
        grid, lat, lng, draft.address_text or (address.full_text if address else "")
    )


def receive_appeal(draft: AppealDraft, *, actor: Actor, auto_dispatch: bool = True) -> Appeal:
    """Register an appeal (受理) and, when its category is known, dispatch it by the rules.

    Invalid input raises DomainError before anything is written."""
    check("receive", "", actor.role, "")
    category, address = _validate(draft)
    assist_units = _units(draft.assist_unit_codes)
    place = _place(draft, address)
    received_at = draft.received_at or clock.now()
    found = understand(
        f"{draft.address_text} {draft.title} {draft.content}".strip(),
        want_category=category is None,
        want_address=place["grid"] is None,
    )
    text = {
        "title": draft.title.strip() or draft.content.strip()[:30],
        "content": draft.content.strip(),
        "caller_name": draft.caller_name.strip(),
    }
    with transaction.atomic():
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    appeal = Appeal.objects.create(
                        tracking_code=new_tracking_code(received_at),
                        channel=draft.channel,
                        status=Status.RECEIVED,
                        caller_phone=draft.caller_phone.strip(),
                        caller_id_number=draft.caller_id_number.strip(),
                        standard_address=address,
                        category=category,
                        urgency=draft.urgency,
                        is_complex=draft.is_complex,
                        received_at=received_at,
                        created_by=actor.user,
                        **place,
                        **text,
                        **public_fields({**text, "address_text": place["address_text"]}),
                    )
                break
            except IntegrityError:  # a tracking-code collision: draw again
                continue
        else:
            raise DomainError("tracking_code_exhausted", _("无法生成查询码，请重试"))
        record_event(
            appeal, "receive", actor, from_status="", changes={"channel": ("", appeal.channel)}
        )
        apply_understanding(appeal, found)
        if auto_dispatch and appeal.category is not None:
            decision = choose_unit(appeal.category, appeal.grid)
            if decision.unit is not None:
                _dispatch_locked(appeal, Actor.system(), decision.unit, decision.reason)
        # Co-handling units named at intake are part of the case from the start, dispatched
        # or not: they are added now (recorded by the system, as the automatic dispatch is)
        # rather than kept aside, so nothing the call-taker entered can be lost on the way
        # to a dispatcher. They see and act on the appeal once a main unit holds it.
        for unit in assist_units:
            if unit.pk != appeal.main_unit_id:
                _add_assist_locked(appeal, Actor.system(), unit)
    return appeal


def _units(codes: Sequence[str]) -> list[Unit]:
    units = list(Unit.objects.filter(code__in=list(codes), is_active=True))
    missing = set(codes) - {u.code for u in units}
    if missing:
        raise _invalid("unit", _("单位编码不存在：%(value)s"), value="、".join(sorted(missing)))
    return units


def _dispatch_locked(
    appeal: Appeal,
    actor: Actor,
    unit: Unit,
    reason: str,
    *,
    action: str = "dispatch",
    assist_units: Sequence[Unit] = (),
    expected_version: int | None = None,
    restart_clock: bool = False,
    extra_fields: dict[str, object] | None = None,
) -> None:
    now = clock.now()
    deadlines = deadlines_for(
        appeal.category,
        appeal.urgency,
        appeal.is_complex,
        received_at=now if restart_clock else appeal.received_at,
        dispatched_at=now,
    )
    AppealAssignment.objects.filter(appeal=appeal, role=AssignmentRole.MAIN).exclude(
        status=AssignmentStatus.SENT_BACK
    ).update(status=AssignmentStatus.WITHDRAWN)
    # a co-handling unit that becomes the main unit holds the case in that role only
    AppealAssignment.objects.filter(
        appeal=appeal,
        unit=unit,
        role=AssignmentRole.ASSIST,
        status__in=[AssignmentStatus.PENDING, AssignmentStatus.SIGNED],
    ).update(status=AssignmentStatus.WITHDRAWN)
    # The new main unit gets a new sign-for clock, watched afresh by the deadline scan.
    fields: dict[str, object] = {
        "main_unit": unit,
        "dispatch_reason": reason[:300],
        "dispatched_at": now,
        "sign_due_at": deadlines.sign_due_at,
        "sign_warn_at": deadlines.sign_warn_at,
        "sign_warned_at": None,
        "sign_overdue_at": None,
        "signed_at": None,
        "sla_policy": deadlines.policy,
    }
    # The reply deadline is the citizen's: it counts from reception and keeps running when
    # the appeal changes hands (退单 then 派单, or 改派), with any approved extension and
    # the overdue mark, so the scan does not escalate the same lateness twice. Only the
    # first dispatch sets it, and a reopened appeal (restart_clock) gets a new one.
    if restart_clock or appeal.reply_due_at is None:
        fields.update(
            reply_due_at=deadlines.reply_due_at,
            warn_at=deadlines.warn_at,
            warned_at=None,
            overdue_at=None,
        )
    fields.update(extra_fields or {})
    apply(appeal, action, actor, reason=reason, fields=fields, expected_version=expected_version)
    AppealAssignment.objects.create(
        appeal=appeal, unit=unit, role=AssignmentRole.MAIN, assigned_at=now
    )
    for assist in assist_units:
        if assist.pk != unit.pk:
            _add_assist_locked(appeal, actor, assist)


def _add_assist_locked(appeal: Appeal, actor: Actor, unit: Unit) -> None:
    if AppealAssignment.objects.filter(
        appeal=appeal, unit=unit, status__in=[AssignmentStatus.PENDING, AssignmentStatus.SIGNED]
    ).exists():
        return
    AppealAssignment.objects.create(
        appeal=appeal, unit=unit, role=AssignmentRole.ASSIST, assigned_at=clock.now()
    )
    apply(appeal, "add_assist", actor, fields={}, reason=unit.name)


def categorize(tracking_code: str, *, actor: Actor, category_code: str, reason: str = "") -> Appeal:
    """Staff set or correct the category; a correction of the model is kept for retraining."""
    with transaction.atomic():
        appeal = lock_appeal(tracking_code)
        _categorize_locked(appeal, actor, category_code, reason)
    return appeal


def _categorize_locked(appeal: Appeal, actor: Actor, category_code: str, reason: str) -> None:
    category = Category.objects.filter(code=category_code, is_active=True).first()
    if category is None:
        raise _invalid("category", _("分类编码不存在：%(value)s"), value=category_code)
    apply(appeal, "categorize", actor, reason=reason, fields={"category": category})
    record_correction(appeal, corrected_code=category.code, user=actor.user)


def dispatch(
    tracking_code: str,
    *,
    actor: Actor,
    unit_code: str = "",
    category_code: str = "",
    assist_unit_codes: Sequence[str] = (),
    reason: str = "",
    expected_version: int | None = None,
) -> Appeal:
    """派单. Without a unit the responsibility rules choose, and their reason is recorded;
    a dispatcher's own choice is recorded with the dispatcher's reason."""
    with transaction.atomic():
        appeal = lock_appeal(tracking_code)
        check("dispatch", appeal.status, actor.role, "")
        if category_code and (appeal.category is None or appeal.category.code != category_code):
            _categorize_locked(appeal, actor, category_code, reason)
        if unit_code:
            unit = _units([unit_code])[0]
            why = reason or _("派单员指定")
        else:
            decision = suggest_unit(appeal, returned_units([appeal.pk]).get(appeal.pk, []))
            if decision.unit is None:
                raise DomainError("no_responsible_unit", decision.reason)
            unit, why = decision.unit, decision.reason
        _dispatch_locked(
            appeal,
            actor,
            unit,
            str(why),
            assist_units=_units(assist_unit_codes),
            expected_version=expected_version,
        )
    return appeal


def redispatch(
    tracking_code: str,
    *,
    actor: Actor,
    unit_code: str,
    reason: str,
    expected_version: int | None = None,
) -> Appeal:
    with transaction.atomic():
        appeal = lock_appeal(tracking_code)
        check("redispatch", appeal.status, actor.role, reason)
        _dispatch_locked(
            appeal,
            actor,
            _units([unit_code])[0],
            reason,
            action="redispatch",
            expected_version=expected_version,
        )
    return appeal


def send_to_unit(
    tracking_code: str,
    *,
    actor: Actor,
    unit_code: str = "",
    reason: str = "",
    assist_unit_codes: Sequence[str] = (),
) -> Appeal:
    """The dispatcher's one "send" button: 派单 for an appeal waiting for a unit (new or
    sent back), 改派 for one a unit holds. The transition table says which applies."""
    with transaction.atomic():
        appeal = lock_appeal(tracking_code)
        if appeal.status not in TRANSITIONS["redispatch"].sources:
            return dispatch(
                tracking_code,
                actor=actor,
                unit_code=unit_code,
                reason=reason,
                assist_unit_codes=assist_unit_codes,
            )
        appeal = redispatch(tracking_code, actor=actor, unit_code=unit_code, reason=reason)
        for unit in _units(assist_unit_codes):
            if unit.pk != appeal.main_unit_id:
                _add_assist_locked(appeal, actor, unit)
        return appeal


def add_assist(tracking_code: str, *, actor: Actor, unit_code: str) -> Appeal:
    with transaction.atomic():
        appeal = lock_appeal(tracking_code)
        _add_assist_locked(appeal, actor, _units([unit_code])[0])
    return appeal
