"""限时办结: what the responsible units do with an appeal, and what happens after the reply."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cityloop.access.actors import Actor
from cityloop.appeals.assignments import LIVE, Move
from cityloop.appeals.enums import (
    AssignmentRole,
    AssignmentStatus,
    Outcome,
    ReplyGate,
    Status,
)
from cityloop.appeals.models import Appeal
from cityloop.appeals.outcomes import history_of, latest_rating, outcome_from_history
from cityloop.appeals.public_text import public_version
from cityloop.appeals.scope import check_scope, live_assist_of
from cityloop.appeals.services.core import apply, lock_appeal
from cityloop.appeals.transitions import check
from cityloop.classify.reply_check import check_reply
from cityloop.dispatch.services import dispatch_locked
from cityloop.kernel import clock
from cityloop.kernel.errors import DomainError
from cityloop.org.models import Unit


def sign_for(tracking_code: str, *, actor: Actor, expected_version: int | None = None) -> Appeal:
    """签收. An assisting unit signs for its own part without moving the appeal's status."""
    now = clock.now()
    with transaction.atomic():
        appeal = lock_appeal(tracking_code)
        assist = live_assist_of(appeal, actor)
        if assist is not None:
            if assist.status != AssignmentStatus.PENDING:
                raise DomainError("already_signed", _("本单位已签收该诉求"))
            apply(
                appeal,
                "assist_sign_for",
                actor,
                scope_role=AssignmentRole.ASSIST,
                reason=assist.unit.name,
                assignments=[_signed(AssignmentRole.ASSIST, now, unit=assist.unit)],
            )
            return appeal
        apply(
            appeal,
            "sign_for",
            actor,
            fields={"signed_at": now},
            expected_version=expected_version,
            assignments=[_signed(AssignmentRole.MAIN, now)],
        )
    return appeal


def record_contact(tracking_code: str, *, actor: Actor, note: str = "") -> Appeal:
    with transaction.atomic():
        appeal = lock_appeal(tracking_code)
        fields = {} if appeal.contacted_at else {"contacted_at": clock.now()}
        apply(appeal, "record_contact", actor, reason=note, fields=fields)
    return appeal


def reply_gate() -> str:
    """What a weak reply meets (settings.CITYLOOP_REPLY_GATE): warn, confirm or block."""
    gate = str(getattr(settings, "CITYLOOP_REPLY_GATE", ReplyGate.CONFIRM))
    return gate if gate in ReplyGate.values else ReplyGate.CONFIRM


def reply(
    tracking_code: str,
    *,
    actor: Actor,
    text: str,
    expected_version: int | None = None,
    confirm_reason: str = "",
) -> Appeal:
    """办结答复 by the main unit; an assisting unit's reply is its contribution to the case.

    The reply check is a gate (reply_gate): a weak reply goes through flagged (warn), goes
    through only when the handler confirms it with a reason, recorded on the event
    (confirm), or waits for a supervisor's review before it counts as replied (block)."""
    if not text.strip():
        raise DomainError("reply_required", _("请填写办理结果"), field="text")
    now = clock.now()
    with transaction.atomic():
        appeal = lock_appeal(tracking_code)
        assist = live_assist_of(appeal, actor)
        if assist is not None:
            apply(
                appeal,
                "assist_reply",
                actor,
                scope_role=AssignmentRole.ASSIST,
                reason=text,
                assignments=[_replied(AssignmentRole.ASSIST, now, text, unit=assist.unit)],
            )
            return appeal
        verdict = check_reply(f"{appeal.title}{appeal.content}", text)
        quality = {"ok": verdict.ok, "score": round(verdict.score, 3), "reasons": verdict.reasons}
        written = {
            "reply_text": text.strip(),
            "public_reply": public_version(
                text.strip(), caller_name=appeal.caller_name, writer=actor
            ),
            "reply_check": quality,
            "reply_flagged": not verdict.ok,
        }
        gate = reply_gate()
        if not verdict.ok and gate == ReplyGate.BLOCK:
            apply(
                appeal,
                "reply_for_review",
                actor,
                reason=text,
                expected_version=expected_version,
                fields=written,
            )
            return appeal
        details = {}
        if not verdict.ok and gate == ReplyGate.CONFIRM:
            # a reply that may not be given at all is refused for that, not for its wording
            check("reply", appeal.status, actor.role, text)
            check_scope(appeal, actor, held_as=AssignmentRole.MAIN)
            if not confirm_reason.strip():
                raise DomainError(
                    "weak_reply",
                    _("答复质量存疑（%(reasons)s）。请完善答复；确需按原文发送，请填写理由确认。"),
                    reasons="；".join(verdict.reasons) or "—",
                    field="confirm_reason",
                )
            details = {"weak_reply_confirmed": confirm_reason.strip()}
        apply(
            appeal,
            "reply",
            actor,
            reason=text,
            expected_version=expected_version,
            fields={**written, "replied_at": now, "deferred_until": None},
            details=details,
            assignments=[_replied(AssignmentRole.MAIN, now, text)],
        )
    return appeal


def accept_reply(tracking_code: str, *, actor: Actor, note: str = "") -> Appeal:
    """A supervisor accepts a weak reply: waiting for review, it now counts as replied;
    already replied (warn / confirm mode), it is no longer flagged."""
    with transaction.atomic():
        appeal = lock_appeal(tracking_code)
        _must_be_flagged(appeal)
        fields: dict[str, object] = {"reply_flagged": False}
        moves = []
        if appeal.status == Status.REPLY_REVIEW:
            now = clock.now()
            fields.update(replied_at=now, deferred_until=None)
            moves = [_replied(AssignmentRole.MAIN, now, appeal.reply_text)]
        apply(appeal, "accept_reply", actor, reason=note, fields=fields, assignments=moves)
    return appeal


def return_reply(tracking_code: str, *, actor: Actor, reason: str) -> Appeal:
    """A supervisor returns a weak reply to the main unit for rework, saying why: the unit
    works on it again (in progress) and must reply anew."""
    with transaction.atomic():
        appeal = lock_appeal(tracking_code)
        _must_be_flagged(appeal)
        moves = []
        if appeal.status == Status.REPLIED:
            replied = frozenset({AssignmentStatus.REPLIED})
            stamp = {"replied_at": None}
            moves = [Move(AssignmentRole.MAIN, replied, AssignmentStatus.SIGNED, stamp=stamp)]
        apply(
            appeal,
            "return_reply",
            actor,
            reason=reason,
            fields={"reply_flagged": False, "replied_at": None},
            assignments=moves,
        )
    return appeal


def _must_be_flagged(appeal: Appeal) -> None:
    if appeal.status == Status.REPLIED and not appeal.reply_flagged:
        raise DomainError("reply_not_flagged", _("该答复未被标记为质量存疑，无需审核"))


def _signed(role: str, now: datetime, *, unit: Unit | None = None) -> Move:
    pending = frozenset({AssignmentStatus.PENDING})
    return Move(role, pending, AssignmentStatus.SIGNED, unit=unit, stamp={"signed_at": now})


def _replied(role: str, now: datetime, text: str, *, unit: Unit | None = None) -> Move:
    """The main unit answers what it signed for; an assisting unit may answer at once."""
    among = frozenset({AssignmentStatus.SIGNED}) if role == AssignmentRole.MAIN else LIVE
    stamp = {"replied_at": now, "note": text}
    return Move(role, among, AssignmentStatus.REPLIED, unit=unit, stamp=stamp)


def defer(tracking_code: str, *, actor: Actor, reason: str, planned_date: date) -> Appeal:
    """挂账: cannot be resolved now; the unit names the date by which it plans to."""
    if planned_date <= clock.today():
        raise DomainError("invalid_planned_date", _("计划解决日期须晚于今天"), field="planned_date")
    with transaction.atomic():
        appeal = lock_appeal(tracking_code)
        apply(
            appeal,
            "defer",
            actor,
            reason=reason,
            fields={"deferred_until": planned_date, "defer_followed_at": None},
        )
    return appeal


def resume(tracking_code: str, *, actor: Actor, reason: str = "") -> Appeal:
    with transaction.atomic():
        appeal = lock_appeal(tracking_code)
        apply(appeal, "resume", actor, reason=reason, fields={"deferred_until": None})
    return appeal


def close(tracking_code: str, *, actor: Actor, reason: str = "") -> Appeal:
    """关闭: the outcome is what the record says (the latest rating since the last reopen)."""
    with transaction.atomic():
        appeal = lock_appeal(tracking_code)
        outcome = outcome_from_history([*history_of(appeal), ("close", {})], appeal.appeal_type)
        fields = {"closed_at": clock.now(), "outcome": outcome}
        apply(appeal, "close", actor, reason=reason, fields=fields)
    return appeal


def close_unresolved(tracking_code: str, *, actor: Actor, reason: str) -> Appeal:
    """办结未解决: after the citizen said "not resolved", the centre decides the appeal is
    closed as it stands (beyond policy, say) instead of handled again, and says why. A unit
    still holding it after the reopen lets it go."""
    with transaction.atomic():
        appeal = lock_appeal(tracking_code)
        if latest_rating(history_of(appeal), since_reopen=False) is not False:
            raise DomainError(
                "not_rated_unresolved", _("只有群众评价为“未解决”的诉求才能办结未解决")
            )
        apply(
            appeal,
            "close_unresolved",
            actor,
            reason=reason,
            fields={
                "closed_at": clock.now(),
                "outcome": Outcome.UNRESOLVED,
                "deferred_until": None,
            },
            assignments=[
                Move(role, LIVE, AssignmentStatus.WITHDRAWN)
                for role in (AssignmentRole.MAIN, AssignmentRole.ASSIST)
            ],
        )
    return appeal


def reopen(tracking_code: str, *, actor: Actor, reason: str) -> Appeal:
    """The citizen says it is not resolved: the same main unit handles it again, on a new
    clock, and the earlier evaluation stays in the record."""
    with transaction.atomic():
        appeal = lock_appeal(tracking_code)
        if appeal.main_unit is None:
            raise DomainError("no_main_unit", _("该诉求没有主办单位，无法重新办理"))
        dispatch_locked(
            appeal,
            actor,
            appeal.main_unit,
            reason,
            action="reopen",
            restart_clock=True,
            extra_fields={
                "reopen_count": appeal.reopen_count + 1,
                "closed_at": None,
                "outcome": "",
                "replied_at": None,
                "dispatch_reason": appeal.dispatch_reason,
            },
        )
    return appeal


def merge(tracking_code: str, *, into_code: str, actor: Actor, reason: str) -> Appeal:
    """Merge a duplicate into the case that carries on. Both rows are locked in a fixed
    order so two merges running at once cannot deadlock."""
    if tracking_code == into_code:
        raise DomainError("merge_into_self", _("不能将诉求合并到其自身"))
    with transaction.atomic():
        first, second = sorted([tracking_code, into_code])
        locked = {code: lock_appeal(code) for code in (first, second)}
        duplicate, target = locked[tracking_code], locked[into_code]
        if target.status == Status.MERGED:
            raise DomainError(
                "merge_target_merged",
                _("目标诉求 %(code)s 已被合并，请合并到主诉求"),
                code=into_code,
            )
        apply(duplicate, "merge", actor, reason=reason, fields={"merged_into": target})
        note = _("合并诉求 %(code)s：%(reason)s") % {"code": tracking_code, "reason": reason}
        apply(target, "merged_in", actor, reason=str(note))
    return duplicate
