"""派单 (dispatch): the dispatcher's write path — dispatch, re-dispatch, co-handling units,
the unit's send-back, and the category a dispatcher sets or corrects on the way.

The responsibility rules that choose a unit are in dispatch.rules; the queue in dispatch.selectors.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cityloop.access.actors import Actor
from cityloop.appeals.assignments import LIVE, NOT_ENDED, Assign, Move, holds_live
from cityloop.appeals.enums import AssignmentRole, AssignmentStatus
from cityloop.appeals.models import Appeal
from cityloop.appeals.services.core import apply, lock_appeal
from cityloop.appeals.transitions import TRANSITIONS, check
from cityloop.classify.services import record_correction
from cityloop.dispatch.selectors import returned_units, suggest_unit
from cityloop.kernel import clock
from cityloop.kernel.errors import DomainError, invalid_field
from cityloop.org.models import Unit
from cityloop.sla.services import deadlines_for
from cityloop.taxonomy.models import Category


def units_by_code(codes: Sequence[str]) -> list[Unit]:
    """The active units with these codes; an unknown or inactive one is refused by name."""
    units = list(Unit.objects.filter(code__in=list(codes), is_active=True))
    missing = set(codes) - {u.code for u in units}
    if missing:
        raise invalid_field(
            "unit", _("单位编码不存在：%(value)s"), value="、".join(sorted(missing))
        )
    return units


def dispatch_locked(
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
    """Give the appeal to `unit` as its main unit, inside the caller's transaction with the
    appeal row already locked (receive_appeal, dispatch, redispatch and reopen use it)."""
    now = clock.now()
    deadlines = deadlines_for(
        appeal.category,
        appeal.urgency,
        appeal.is_complex,
        received_at=now if restart_clock else appeal.received_at,
        dispatched_at=now,
    )
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
    withdrawn = AssignmentStatus.WITHDRAWN
    apply(
        appeal,
        action,
        actor,
        reason=reason,
        fields=fields,
        expected_version=expected_version,
        assignments=[
            Move(AssignmentRole.MAIN, NOT_ENDED, withdrawn),
            # a co-handling unit that becomes the main unit holds the case in that role only
            Move(AssignmentRole.ASSIST, LIVE, withdrawn, unit=unit),
            Assign(unit, AssignmentRole.MAIN),
        ],
    )
    for assist in assist_units:
        if assist.pk != unit.pk:
            add_assist_locked(appeal, actor, assist)


def add_assist_locked(appeal: Appeal, actor: Actor, unit: Unit) -> None:
    """Add a co-handling unit, inside the caller's transaction with the appeal row locked."""
    if holds_live(appeal, unit):
        return
    apply(
        appeal,
        "add_assist",
        actor,
        reason=unit.name,
        assignments=[Assign(unit, AssignmentRole.ASSIST)],
    )


def categorize(tracking_code: str, *, actor: Actor, category_code: str, reason: str = "") -> Appeal:
    """Staff set or correct the category; a correction of the model is kept for retraining."""
    with transaction.atomic():
        appeal = lock_appeal(tracking_code)
        _categorize_locked(appeal, actor, category_code, reason)
    return appeal


def _categorize_locked(appeal: Appeal, actor: Actor, category_code: str, reason: str) -> None:
    category = Category.objects.filter(code=category_code, is_active=True).first()
    if category is None:
        raise invalid_field("category", _("分类编码不存在：%(value)s"), value=category_code)
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
            unit = units_by_code([unit_code])[0]
            why = reason or _("派单员指定")
        else:
            decision = suggest_unit(appeal, returned_units([appeal.pk]).get(appeal.pk, []))
            if decision.unit is None:
                raise DomainError("no_responsible_unit", decision.reason)
            unit, why = decision.unit, decision.reason
        dispatch_locked(
            appeal,
            actor,
            unit,
            str(why),
            assist_units=units_by_code(assist_unit_codes),
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
        dispatch_locked(
            appeal,
            actor,
            units_by_code([unit_code])[0],
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
        for unit in units_by_code(assist_unit_codes):
            if unit.pk != appeal.main_unit_id:
                add_assist_locked(appeal, actor, unit)
        return appeal


def add_assist(tracking_code: str, *, actor: Actor, unit_code: str) -> Appeal:
    with transaction.atomic():
        appeal = lock_appeal(tracking_code)
        add_assist_locked(appeal, actor, units_by_code([unit_code])[0])
    return appeal


def send_back(
    tracking_code: str, *, actor: Actor, reason: str, expected_version: int | None = None
) -> Appeal:
    """退单: the unit says the appeal is not its responsibility; it returns to the dispatcher."""
    with transaction.atomic():
        appeal = lock_appeal(tracking_code)
        apply(
            appeal,
            "send_back",
            actor,
            reason=reason,
            expected_version=expected_version,
            fields={"send_back_count": appeal.send_back_count + 1, "main_unit": None},
            assignments=[
                Move(AssignmentRole.MAIN, LIVE, AssignmentStatus.SENT_BACK, stamp={"note": reason})
            ],
        )
    return appeal
