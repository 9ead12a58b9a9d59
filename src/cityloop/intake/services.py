"""统一接听: every channel lands here; an appeal whose category is known is dispatched by the
rules (dispatch.services) in the same transaction."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from cityloop.access.actors import Actor
from cityloop.appeals.enums import Channel, Status
from cityloop.appeals.events import record_event
from cityloop.appeals.models import Appeal
from cityloop.appeals.public_text import public_fields
from cityloop.appeals.transitions import check
from cityloop.dispatch.rules import choose_unit
from cityloop.dispatch.services import add_assist_locked, dispatch_locked, units_by_code
from cityloop.geo.models import Area, StandardAddress
from cityloop.geo.services import locate
from cityloop.handling.attachments import attach, check_uploads
from cityloop.handling.services import merge
from cityloop.intake.placing import place_fields
from cityloop.intake.understanding import apply_understanding, understand
from cityloop.kernel import clock
from cityloop.kernel.errors import DomainError, invalid_field
from cityloop.kernel.limits import max_length
from cityloop.notify.services import clean_email, save_recipient
from cityloop.sla.models import Urgency
from cityloop.taxonomy.models import Category

# The text limits of a draft, from their columns: a form must not accept more.
CALLER_NAME_MAX = max_length(Appeal, "caller_name")
ADDRESS_TEXT_MAX = max_length(Appeal, "address_text")

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
    # where the citizen also wants to be told (notify keeps it, not the appeal)
    email: str = ""


def _validate(draft: AppealDraft) -> tuple[Category | None, StandardAddress | None]:
    if draft.channel not in Channel.values:
        raise invalid_field("channel", _("未知的受理渠道：%(value)s"), value=draft.channel)
    if not draft.content.strip():
        raise invalid_field("content", _("请填写诉求内容"))
    if len(draft.content) > 5000:
        raise invalid_field("content", _("诉求内容不能超过 5000 字"))
    if len(draft.title) > 200:
        raise invalid_field("title", _("标题不能超过 200 字"))
    if draft.caller_phone and not PHONE_PATTERN.match(draft.caller_phone):
        raise invalid_field(
            "caller_phone", _("联系电话格式不正确：%(value)s"), value=draft.caller_phone
        )
    if draft.urgency not in Urgency.values:
        raise invalid_field("urgency", _("未知的紧急程度：%(value)s"), value=draft.urgency)
    if (draft.lat is None) != (draft.lng is None):
        raise invalid_field("location", _("经纬度须同时填写"))
    if draft.lat is not None and not (-90 <= draft.lat <= 90 and -180 <= draft.lng <= 180):  # type: ignore[operator]
        raise invalid_field("location", _("经纬度超出范围"))
    clean_email(draft.email)
    category = None
    if draft.category_code:
        category = Category.objects.filter(code=draft.category_code, is_active=True).first()
        if category is None:
            raise invalid_field(
                "category", _("分类编码不存在：%(value)s"), value=draft.category_code
            )
    address = None
    if draft.standard_address_code:
        address = (
            StandardAddress.objects.select_related("grid")
            .filter(code=draft.standard_address_code)
            .first()
        )
        if address is None:
            raise invalid_field(
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
    assist_units = units_by_code(draft.assist_unit_codes)
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
        # before the receipt is recorded: the receipt is written to every address there is
        save_recipient(appeal, draft.email)
        record_event(
            appeal, "receive", actor, from_status="", changes={"channel": ("", appeal.channel)}
        )
        apply_understanding(appeal, found)
        if auto_dispatch and appeal.category is not None:
            decision = choose_unit(appeal.category, appeal.grid)
            if decision.unit is not None:
                dispatch_locked(appeal, Actor.system(), decision.unit, decision.reason)
        # Co-handling units named at intake are part of the case from the start, dispatched
        # or not: they are added now (recorded by the system, as the automatic dispatch is)
        # rather than kept aside, so nothing the call-taker entered can be lost on the way
        # to a dispatcher. They see and act on the appeal once a main unit holds it.
        for unit in assist_units:
            if unit.pk != appeal.main_unit_id:
                add_assist_locked(appeal, Actor.system(), unit)
    return appeal


def receive_call(draft: AppealDraft, *, actor: Actor, merge_into: str = "") -> Appeal:
    """A call taken at the console: received (and dispatched by the rules) and, when the
    call-taker confirmed it repeats an appeal already open, merged into that one — both or
    neither. The appeal is returned as it stands afterwards (status, main unit)."""
    with transaction.atomic():
        appeal = receive_appeal(draft, actor=actor)
        if merge_into:
            merge(
                appeal.tracking_code,
                into_code=merge_into,
                actor=actor,
                reason=str(_("受理时确认与已有工单为同一问题")),
            )
    appeal.refresh_from_db()
    return appeal


def receive_report(draft: AppealDraft, *, actor: Actor, uploads: Sequence[object]) -> Appeal:
    """A citizen's report from the portal with its photos: the uploads are checked before
    anything is written, and the appeal is kept only with its attachments."""
    check_uploads(uploads)
    with transaction.atomic():
        appeal = receive_appeal(draft, actor=actor)
        if uploads:
            attach(appeal.tracking_code, actor=actor, uploads=uploads)
    return appeal
