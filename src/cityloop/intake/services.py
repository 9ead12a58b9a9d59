"""统一接听: every channel lands here; an appeal whose category is known is dispatched by the
rules (dispatch.services) in the same transaction."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cityloop.access.actors import Actor
from cityloop.appeals.enums import AppealType, Channel, Outcome, Placement, Status
from cityloop.appeals.events import record_event
from cityloop.appeals.models import Appeal
from cityloop.appeals.public_text import public_fields, public_version
from cityloop.appeals.services.core import apply
from cityloop.appeals.transitions import check
from cityloop.appeals.unsaved import announce, write_new
from cityloop.classify.appeal_type import suggest_appeal_type
from cityloop.dispatch.rules import choose_unit
from cityloop.dispatch.services import add_assist_locked, dispatch_locked, units_by_code
from cityloop.geo.models import StandardAddress
from cityloop.handling.attachments import attach, check_uploads
from cityloop.handling.services import merge
from cityloop.intake.fallback import check_place_by, choose, place_point
from cityloop.intake.placing import place_fields
from cityloop.intake.second_stage import request_if_unsure
from cityloop.intake.understanding import Understanding, apply_understanding, understand
from cityloop.kernel import clock
from cityloop.kernel.errors import invalid_field
from cityloop.kernel.limits import max_length
from cityloop.notify.services import clean_email, save_recipient
from cityloop.org.models import Unit
from cityloop.sla.models import Urgency
from cityloop.taxonomy.models import Category, category_by_code

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
    # 诉求类型; empty: suggested from the words (classify.appeal_type), 求助 when none fits
    appeal_type: str = ""
    # a consultation (咨询) the call-taker answered during the call: closed at once with it
    answer: str = ""
    # When the map point and the typed address disagree: which one holds ("map" or "text").
    place_by: str = ""
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
    if draft.appeal_type and draft.appeal_type not in AppealType.values:
        raise invalid_field("appeal_type", _("未知的诉求类型：%(value)s"), value=draft.appeal_type)
    if draft.answer.strip() and _type_of(draft) != AppealType.CONSULTATION:
        raise invalid_field("answer", _("只有咨询类诉求可以当场解答"))
    if len(draft.answer) > 5000:
        raise invalid_field("answer", _("答复内容不能超过 5000 字"))
    check_place_by(draft.place_by)
    if draft.urgency not in Urgency.values:
        raise invalid_field("urgency", _("未知的紧急程度：%(value)s"), value=draft.urgency)
    if (draft.lat is None) != (draft.lng is None):
        raise invalid_field("location", _("经纬度须同时填写"))
    if draft.lat is not None and not (-90 <= draft.lat <= 90 and -180 <= draft.lng <= 180):  # type: ignore[operator]
        raise invalid_field("location", _("经纬度超出范围"))
    clean_email(draft.email)
    category = None
    if draft.category_code:
        category = category_by_code(draft.category_code)
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


def _type_of(draft: AppealDraft) -> str:
    return draft.appeal_type or suggest_appeal_type(f"{draft.title} {draft.content}")


def _place(
    draft: AppealDraft, address: StandardAddress | None, category: Category | None
) -> tuple[dict[str, object], Understanding]:
    """The place fields set at reception, and what the machine understood of the text.

    A standard address chosen by the call-taker, or a map point with no typed address, is
    the place as given. Otherwise the text is placed down the fallback levels, set against
    the map point when there is one (`fallback.choose`: a disagreement needs `place_by`),
    and the result is applied by a "locate" event that says how it was found."""
    full_text = f"{draft.address_text} {draft.title} {draft.content}".strip()
    point = None
    if address is None and draft.lat is not None and draft.lng is not None:
        point = place_point(draft.lat, draft.lng)
    given = address is not None or (point is not None and not draft.address_text.strip())
    found = understand(
        full_text,
        want_category=category is None,
        want_address=not given,
        address_text=draft.address_text,
    )
    if address is not None:
        lat, lng = draft.lat, draft.lng
        if lat is None:
            lat, lng = address.lat, address.lng
        fields = place_fields(address.grid, lat, lng, draft.address_text or address.full_text)
        return {**fields, "standard_address": address, "placement": Placement.ADDRESS}, found
    if given and point is not None:
        return point.fields(draft.address_text), found
    found.placement = choose(found.placement, point, draft.place_by)
    return {"address_text": draft.address_text}, found


def receive_appeal(draft: AppealDraft, *, actor: Actor, auto_dispatch: bool = True) -> Appeal:
    """Register an appeal (受理) and, when its category is known, dispatch it by the rules.

    Invalid input raises DomainError before anything is written."""
    check("receive", "", actor.role, "")
    category, address = _validate(draft)
    assist_units = units_by_code(draft.assist_unit_codes)
    place, found = _place(draft, address, category)
    received_at = draft.received_at or clock.now()
    text = {
        "title": draft.title.strip() or draft.content.strip()[:30],
        "content": draft.content.strip(),
        "caller_name": draft.caller_name.strip(),
    }
    appeal = Appeal(
        channel=draft.channel,
        appeal_type=_type_of(draft),
        status=Status.RECEIVED,
        caller_phone=draft.caller_phone.strip(),
        caller_id_number=draft.caller_id_number.strip(),
        category=category,
        urgency=draft.urgency,
        is_complex=draft.is_complex,
        received_at=received_at,
        created_by=actor.user,
        **place,
        **text,
        **public_fields({**text, "address_text": place["address_text"]}),
    )
    # Everything is decided on the instance first (appeals.unsaved), and written at the end
    # in a few statements: the transaction holds its locks (on SQLite the one write lock)
    # only for the writes.
    record_event(
        appeal, "receive", actor, from_status="", changes={"channel": ("", appeal.channel)}
    )
    apply_understanding(appeal, found)
    if draft.answer.strip():
        _answer_on_call(appeal, actor, draft.answer.strip())
    elif appeal.appeal_type == AppealType.PRAISE:
        _thank_for_praise(appeal)
    else:
        _dispatch_by_rules(appeal, assist_units, auto_dispatch=auto_dispatch)
    with transaction.atomic():
        events = write_new(appeal, draw_code=lambda: new_tracking_code(received_at))
        # before the receipt is announced: the receipt is written to every address there is
        save_recipient(appeal, draft.email)
        announce(appeal, events)
        if found.suggestion is not None:
            # unsure (a small margin between the two best): a slower model looks at it in
            # the background before a person does
            request_if_unsure(appeal, [r.confidence for r in found.suggestion.ranked])
    return appeal


def _dispatch_by_rules(
    appeal: Appeal, assist_units: Sequence[Unit], *, auto_dispatch: bool
) -> None:
    if auto_dispatch and appeal.category is not None:
        decision = choose_unit(appeal.category, appeal.place_area)
        if decision.unit is not None:
            dispatch_locked(appeal, Actor.system(), decision.unit, decision.reason)
    # Co-handling units named at intake are part of the case from the start, dispatched
    # or not: they are added now (recorded by the system, as the automatic dispatch is)
    # rather than kept aside, so nothing the call-taker entered can be lost on the way
    # to a dispatcher. They see and act on the appeal once a main unit holds it.
    for unit in assist_units:
        if unit.pk != appeal.main_unit_id:
            add_assist_locked(appeal, Actor.system(), unit)


def _answer_on_call(appeal: Appeal, actor: Actor, answer: str) -> None:
    """咨询 answered during the call: closed at once, the answer is the reply, no unit."""
    now = clock.now()
    apply(
        appeal,
        "answer_on_call",
        actor,
        reason=answer,
        fields={
            "reply_text": answer,
            "public_reply": public_version(answer, caller_name=appeal.caller_name, writer=actor),
            "replied_at": now,
            "closed_at": now,
            "outcome": Outcome.ANSWERED_ON_CALL,
        },
    )


def _thank_for_praise(appeal: Appeal) -> None:
    """表扬: recorded and closed with thanks; the praised unit (by the responsibility rules,
    when the category is known) holds it for information only — nothing to handle."""
    unit = choose_unit(appeal.category, appeal.grid).unit if appeal.category else None
    thanks = (
        _("感谢您的表扬，已转达%(unit)s。") % {"unit": unit.name}
        if unit is not None
        else _("感谢您的表扬，我们已记录。")
    )
    now = clock.now()
    apply(
        appeal,
        "thank_praise",
        Actor.system(),
        reason=str(thanks),
        fields={
            "main_unit": unit,
            "reply_text": str(thanks),
            "public_reply": str(thanks),
            "replied_at": now,
            "closed_at": now,
            "outcome": Outcome.THANKED,
        },
    )


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
