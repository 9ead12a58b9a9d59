"""Every action on an appeal, declared in one table: from which statuses, to which status,
who may do it, and whether it needs a reason. Anything not in the table is refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cityloop.access.actors import CITIZEN, SYSTEM
from cityloop.appeals.enums import (
    HANDLING_STATUSES,
    HELD_BY_UNIT_STATUSES,
    OPEN_STATUSES,
    Status,
)
from cityloop.kernel.errors import DomainError, PermissionDenied
from cityloop.org.models import Role

S = Status
ALL_OPEN = OPEN_STATUSES
HELD_BY_UNIT = HELD_BY_UNIT_STATUSES

STAFF_DISPATCH = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN, SYSTEM})
UNIT_HANDLING = frozenset({Role.HANDLER, Role.ADMIN})
SUPERVISING = frozenset({Role.SUPERVISOR, Role.ADMIN, SYSTEM})
# the centre's decision that an appeal rated "not resolved" is closed as it stands
CENTRE_DECIDING = frozenset({Role.SUPERVISOR, Role.CALL_TAKER, Role.ADMIN})
# what a unit's main reply may come from
REPLYING = frozenset({S.SIGNED, S.IN_PROGRESS, S.DEFERRED})


@dataclass(frozen=True)
class Transition:
    action: str
    label: Promise
    sources: frozenset[str]
    target: str | None  # None: the action is recorded but the status stays
    roles: frozenset[str]
    needs_reason: bool = False
    # The actor's units must hold the appeal as main unit (assisting steps: as assisting
    # unit); every other staff step needs only that the actor may see it (appeals.scope).
    unit_scoped: bool = False
    # what to write when the reason is missing, when "a reason" does not say it well enough
    reason_prompt: Promise | None = None


def _t(
    action: str,
    label: Promise,
    sources: frozenset[str] | set[str],
    target: str | None,
    roles: frozenset[str] | set[str],
    **flags: Any,
) -> Transition:
    return Transition(action, label, frozenset(sources), target, frozenset(roles), **flags)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t(
            "receive",
            _("受理"),
            set(),
            S.RECEIVED,
            {Role.CALL_TAKER, Role.DISPATCHER, Role.ADMIN, CITIZEN, SYSTEM},
        ),
        _t(
            "dispatch",
            _("派单"),
            {S.RECEIVED, S.SENT_BACK},
            S.DISPATCHED,
            STAFF_DISPATCH | {Role.CALL_TAKER},
        ),
        _t(
            "redispatch",
            _("改派"),
            HANDLING_STATUSES,
            S.DISPATCHED,
            STAFF_DISPATCH,
            needs_reason=True,
        ),
        _t("sign_for", _("签收"), {S.DISPATCHED}, S.SIGNED, UNIT_HANDLING, unit_scoped=True),
        _t(
            "send_back",
            _("退单"),
            {S.DISPATCHED, S.SIGNED},
            S.SENT_BACK,
            UNIT_HANDLING,
            needs_reason=True,
            unit_scoped=True,
        ),
        _t(
            "record_contact",
            _("联系诉求人"),
            {S.SIGNED, S.IN_PROGRESS},
            S.IN_PROGRESS,
            UNIT_HANDLING,
            unit_scoped=True,
            needs_reason=True,
            reason_prompt=_("请填写联系情况：何时、通过什么方式联系了诉求人，诉求人的意见"),
        ),
        _t(
            "defer",
            _("挂账"),
            {S.SIGNED, S.IN_PROGRESS},
            S.DEFERRED,
            UNIT_HANDLING,
            needs_reason=True,
            unit_scoped=True,
        ),
        _t(
            "resume",
            _("恢复办理"),
            {S.DEFERRED},
            S.IN_PROGRESS,
            UNIT_HANDLING | SUPERVISING,
            unit_scoped=True,
        ),
        _t("reply", _("办结答复"), REPLYING, S.REPLIED, UNIT_HANDLING, unit_scoped=True),
        # The reply gate (settings.CITYLOOP_REPLY_GATE = block): a reply the reply check
        # finds weak waits for a supervisor, who accepts it (then it counts as replied) or
        # returns it to the unit for rework with a reason. Accept and return also serve the
        # weak replies that went through in warn / confirm mode, before the callback.
        _t(
            "reply_for_review",
            _("答复提交审核"),
            REPLYING,
            S.REPLY_REVIEW,
            UNIT_HANDLING,
            unit_scoped=True,
        ),
        _t(
            "accept_reply",
            _("答复审核通过"),
            {S.REPLY_REVIEW, S.REPLIED},
            S.REPLIED,
            SUPERVISING,
            unit_scoped=True,
        ),
        _t(
            "return_reply",
            _("退回重办"),
            {S.REPLY_REVIEW, S.REPLIED},
            S.IN_PROGRESS,
            SUPERVISING,
            needs_reason=True,
            unit_scoped=True,
            reason_prompt=_("请说明退回重办的理由：答复缺少什么"),
        ),
        _t(
            "evaluate",
            _("评价"),
            {S.REPLIED},
            S.EVALUATED,
            {CITIZEN, Role.CALL_TAKER, Role.SUPERVISOR, Role.ADMIN, SYSTEM},
        ),
        _t(
            "callback_unreached",
            _("回访未联系上"),
            {S.REPLIED},
            None,
            {Role.CALL_TAKER, Role.SUPERVISOR, Role.ADMIN, SYSTEM},
        ),
        _t(
            "close",
            _("关闭"),
            {S.EVALUATED, S.REPLIED},
            S.CLOSED,
            {Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN, SYSTEM},
        ),
        # 办结未解决: the citizen said "not resolved" and the centre decides not to (or no
        # longer to) have it handled again — beyond policy, say — and says why. From the
        # evaluation, or from the units' hands after the rating reopened it.
        _t(
            "close_unresolved",
            _("办结未解决"),
            {S.EVALUATED} | HELD_BY_UNIT,
            S.CLOSED,
            CENTRE_DECIDING,
            needs_reason=True,
            reason_prompt=_("请说明不再重新办理的理由（如超出政策范围）"),
        ),
        # 咨询 answered by the call-taker during the call: closed at once, the answer is the
        # reply; no unit is involved.
        _t(
            "answer_on_call",
            _("当场解答"),
            {S.RECEIVED},
            S.CLOSED,
            {Role.CALL_TAKER, Role.ADMIN},
            needs_reason=True,
            reason_prompt=_("请填写当场答复的内容"),
        ),
        # 表扬: recorded, closed with thanks, and shown to the praised unit for information.
        _t(
            "thank_praise",
            _("表扬致谢"),
            {S.RECEIVED},
            S.CLOSED,
            {Role.CALL_TAKER, Role.DISPATCHER, Role.ADMIN, SYSTEM},
        ),
        _t(
            "reopen",
            _("重新办理"),
            {S.EVALUATED, S.CLOSED},
            S.DISPATCHED,
            {CITIZEN, Role.CALL_TAKER, Role.SUPERVISOR, Role.ADMIN},
            needs_reason=True,
        ),
        _t(
            "merge",
            _("合并"),
            ALL_OPEN,
            S.MERGED,
            {Role.CALL_TAKER, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN},
            needs_reason=True,
        ),
        # Actions that are recorded without changing the status.
        # The case that carries on records the duplicate merged into it (并入重复诉求).
        _t(
            "merged_in",
            _("并入重复诉求"),
            set(Status.values) - {S.MERGED},
            None,
            {Role.CALL_TAKER, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN},
        ),
        _t("classify", _("智能分类"), {S.RECEIVED}, None, {SYSTEM}),
        # 物联感知: a device's repeated alarms are folded into its open appeal (the count and
        # the latest reading recorded), and its "all clear" is recorded too.
        _t("sensor_alarm", _("重复告警"), ALL_OPEN, None, {SYSTEM}),
        _t("sensor_clear", _("告警解除"), ALL_OPEN, None, {SYSTEM}),
        _t(
            "categorize",
            _("人工分类"),
            ALL_OPEN,
            None,
            {Role.CALL_TAKER, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN},
        ),
        _t("flag_urgent", _("标记紧急"), ALL_OPEN, None, STAFF_DISPATCH | {Role.CALL_TAKER}),
        _t("locate", _("地址定位"), ALL_OPEN, None, STAFF_DISPATCH | {Role.CALL_TAKER}),
        _t(
            "attach",
            _("上传附件"),
            ALL_OPEN | {S.REPLIED},
            None,
            STAFF_DISPATCH | UNIT_HANDLING | {Role.CALL_TAKER, CITIZEN},
        ),
        _t("add_assist", _("增加协办单位"), HELD_BY_UNIT | {S.RECEIVED}, None, STAFF_DISPATCH),
        _t("assist_sign_for", _("协办签收"), HELD_BY_UNIT, None, UNIT_HANDLING, unit_scoped=True),
        _t("assist_reply", _("协办反馈"), HELD_BY_UNIT, None, UNIT_HANDLING, unit_scoped=True),
        _t(
            "request_extension",
            _("申请延期"),
            {S.SIGNED, S.IN_PROGRESS, S.DEFERRED},
            None,
            UNIT_HANDLING,
            needs_reason=True,
            unit_scoped=True,
        ),
        _t(
            "decide_extension",
            _("审批延期"),
            {S.SIGNED, S.IN_PROGRESS, S.DEFERRED},
            None,
            SUPERVISING,
            unit_scoped=True,
        ),
        _t(
            "supervise",
            _("督办"),
            ALL_OPEN | {S.REPLIED},
            None,
            SUPERVISING,
            needs_reason=True,
            unit_scoped=True,
        ),
        _t(
            "respond_supervision",
            _("督办反馈"),
            ALL_OPEN | {S.REPLIED, S.EVALUATED, S.CLOSED},
            None,
            UNIT_HANDLING,
            unit_scoped=True,
        ),
        _t("warn", _("临期预警"), HELD_BY_UNIT, None, {SYSTEM}),
        _t("mark_overdue", _("超期"), HELD_BY_UNIT, None, {SYSTEM}),
        # The sign-for deadline is watched like the reply deadline (only before signing).
        _t("sign_warn", _("签收临期预警"), {S.DISPATCHED}, None, {SYSTEM}),
        _t("mark_sign_overdue", _("签收超时"), {S.DISPATCHED}, None, {SYSTEM}),
        # A deferred appeal's planned date has come: the centre follows it up.
        _t("defer_due", _("挂账到期"), {S.DEFERRED}, None, {SYSTEM}),
        _t(
            "request_exclusion",
            _("申请考核剔除"),
            {S.REPLIED, S.EVALUATED, S.CLOSED},
            None,
            UNIT_HANDLING | SUPERVISING,
            needs_reason=True,
            unit_scoped=True,
        ),
        _t(
            "decide_exclusion",
            _("审批考核剔除"),
            {S.REPLIED, S.EVALUATED, S.CLOSED},
            None,
            SUPERVISING,
            unit_scoped=True,
        ),
    ]
}


def check(action: str, status: str, role: str, reason: str) -> Transition:
    """Return the transition or raise a DomainError saying, in the user's language, why not."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise DomainError("unknown_action", _("未知的操作：%(action)s"), action=action)
    if role not in transition.roles:
        raise PermissionDenied(
            "role_not_allowed",
            _("当前角色无权执行“%(label)s”操作"),
            label=str(transition.label),
        )
    if transition.sources and status not in transition.sources:
        raise DomainError(
            "illegal_transition",
            _("诉求当前状态为“%(status)s”，不能执行“%(label)s”操作"),
            status=str(Status(status).label),
            label=str(transition.label),
        )
    if transition.needs_reason and not reason.strip():
        if transition.reason_prompt is not None:
            raise DomainError("reason_required", transition.reason_prompt)
        raise DomainError(
            "reason_required", _("“%(label)s”需要填写理由"), label=str(transition.label)
        )
    return transition


def allowed_actions(status: str, role: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources and role in t.roles]
