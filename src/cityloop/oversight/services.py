"""统一督办: extension requests (延期), supervision orders (督办单) and the deadline scan
that warns before a deadline, marks overdue and escalates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from cityloop.access.actors import Actor
from cityloop.appeals.deadlines import overdue_q
from cityloop.appeals.enums import (
    HANDLING_STATUSES,
    AssignmentRole,
    DecisionStatus,
    Status,
    SupervisionStatus,
)
from cityloop.appeals.models import Appeal
from cityloop.appeals.scope import check_scope
from cityloop.appeals.services.core import apply, lock_appeal
from cityloop.kernel import clock
from cityloop.kernel.errors import DomainError, NotFound
from cityloop.oversight.models import ExtensionRequest, SupervisionOrder
from cityloop.sla.calendar import add_working_days
from cityloop.sla.services import choose_policy, warn_before

MAX_EXTENSION_DAYS = 30
# A supervision order asks for an answer within hours: at least one, at most a month.
MAX_RESPONSE_HOURS = 720


def request_extension(
    tracking_code: str, *, actor: Actor, extra_working_days: int, reason: str
) -> ExtensionRequest:
    if not 1 <= extra_working_days <= MAX_EXTENSION_DAYS:
        raise DomainError(
            "invalid_extra_working_days",
            _("延长天数须在 1 到 %(max)s 个工作日之间"),
            max=MAX_EXTENSION_DAYS,
            field="extra_working_days",
        )
    with transaction.atomic():
        appeal = lock_appeal(tracking_code)
        if appeal.extension_requests.filter(status=DecisionStatus.PENDING).exists():
            raise DomainError("extension_pending", _("已有待审批的延期申请"))
        apply(appeal, "request_extension", actor, reason=reason)
        assert appeal.main_unit is not None
        return ExtensionRequest.objects.create(
            appeal=appeal,
            unit=appeal.main_unit,
            requested_by=actor.user,
            requested_at=clock.now(),
            extra_working_days=extra_working_days,
            reason=reason,
        )


def decide_extension(
    request_id: int, *, actor: Actor, approve: bool, note: str = ""
) -> ExtensionRequest:
    """A supervisor approves (the reply deadline moves by the working days asked for) or
    rejects (the deadline stays). Deciding twice is refused."""
    with transaction.atomic():
        try:
            code = ExtensionRequest.objects.values_list("appeal__tracking_code", flat=True).get(
                pk=request_id
            )
        except ExtensionRequest.DoesNotExist:
            raise NotFound("extension_not_found", _("延期申请不存在")) from None
        appeal = lock_appeal(code)
        check_scope(appeal, actor, held_as=AssignmentRole.MAIN)  # before saying what state
        request = ExtensionRequest.objects.select_for_update().get(pk=request_id)
        if request.status != DecisionStatus.PENDING:
            raise DomainError("extension_decided", _("该延期申请已审批"))
        fields: dict[str, object] = {}
        if approve:
            assert appeal.reply_due_at is not None
            new_due = add_working_days(appeal.reply_due_at, request.extra_working_days)
            policy = appeal.sla_policy or choose_policy(
                appeal.category, appeal.urgency, appeal.is_complex
            )
            fields = {
                "reply_due_at": new_due,
                "warn_at": warn_before(new_due, appeal.received_at, policy),
                "warned_at": None,
                "overdue_at": None,
            }
            request.old_due_at, request.new_due_at = appeal.reply_due_at, new_due
        verdict = _g("同意") if approve else _g("驳回")
        apply(
            appeal,
            "decide_extension",
            actor,
            reason=f"{verdict}：{note}".rstrip("："),
            fields=fields,
        )
        request.status = DecisionStatus.APPROVED if approve else DecisionStatus.REJECTED
        request.decided_by, request.decided_at, request.decision_note = (
            actor.user,
            clock.now(),
            note,
        )
        request.save()
    return request


def supervise(
    tracking_code: str,
    *,
    actor: Actor,
    requirement: str,
    respond_within_hours: int = 24,
    automatic: bool = False,
) -> SupervisionOrder:
    """Issue a supervision order (督办单) to the appeal's main unit."""
    if not 1 <= respond_within_hours <= MAX_RESPONSE_HOURS:
        raise DomainError(
            "invalid_respond_within_hours",
            _("反馈时限须在 1 到 %(max)s 小时之间"),
            max=MAX_RESPONSE_HOURS,
            field="respond_within_hours",
        )
    with transaction.atomic():
        appeal = lock_appeal(tracking_code)
        if appeal.main_unit is None:
            raise DomainError("no_main_unit", _("该诉求尚未派单，无法督办"))
        return _supervise_locked(appeal, actor, requirement, respond_within_hours, automatic)


def _supervise_locked(
    appeal: Appeal, actor: Actor, requirement: str, hours: int, automatic: bool
) -> SupervisionOrder:
    apply(appeal, "supervise", actor, reason=requirement)
    assert appeal.main_unit is not None
    now = clock.now()
    return SupervisionOrder.objects.create(
        appeal=appeal,
        unit=appeal.main_unit,
        issued_by=actor.user,
        issued_at=now,
        is_automatic=automatic,
        requirement=requirement,
        respond_by=now + timedelta(hours=hours),
    )


def respond_supervision(order_id: int, *, actor: Actor, response: str) -> SupervisionOrder:
    if not response.strip():
        raise DomainError("response_required", _("请填写督办反馈"), field="response")
    with transaction.atomic():
        order = SupervisionOrder.objects.select_related("appeal").filter(pk=order_id).first()
        if order is None:
            raise NotFound("supervision_not_found", _("督办单不存在"))
        appeal = lock_appeal(order.appeal.tracking_code)
        check_scope(appeal, actor, held_as=AssignmentRole.MAIN)  # before saying what state
        order = SupervisionOrder.objects.select_for_update().get(pk=order_id)
        if order.status != SupervisionStatus.OPEN:
            raise DomainError("supervision_answered", _("该督办单已反馈"))
        apply(appeal, "respond_supervision", actor, reason=response)
        order.status, order.response, order.responded_at = (
            SupervisionStatus.ANSWERED,
            response,
            clock.now(),
        )
        order.save(update_fields=["status", "response", "responded_at"])
    return order


@dataclass(frozen=True)
class _Watch:
    """One step of the deadline scan: which appeals are due for it, the event it records,
    the timestamp field that marks it done (so it happens once), and whether it escalates
    with an automatic supervision order (督办单) to the main unit."""

    action: str
    done_field: str
    due: Callable[[datetime], Q]
    reason: Promise
    escalation: Promise | None = None


WATCHES: dict[str, _Watch] = {
    "warned": _Watch(
        "warn",
        "warned_at",
        lambda now: Q(status__in=HANDLING_STATUSES, warn_at__lte=now, reply_due_at__gt=now),
        _("距办结时限不足，请抓紧办理"),
    ),
    "overdue": _Watch(
        "mark_overdue",
        "overdue_at",
        overdue_q,
        _("已超过办结时限"),
        _("诉求已超期未办结，请立即办理并反馈"),
    ),
    # The sign-for deadline (签收时限) runs only until the main unit signs for the appeal.
    "sign_warned": _Watch(
        "sign_warn",
        "sign_warned_at",
        lambda now: Q(status=Status.DISPATCHED, sign_warn_at__lte=now, sign_due_at__gt=now),
        _("距签收时限不足，请尽快签收"),
    ),
    "sign_overdue": _Watch(
        "mark_sign_overdue",
        "sign_overdue_at",
        lambda now: Q(status=Status.DISPATCHED, sign_due_at__lte=now),
        _("已超过签收时限未签收"),
        _("诉求已超过签收时限未签收，请立即签收办理；非本单位职责请退单"),
    ),
    # 挂账 (deferred): the centre accepted that the appeal cannot be resolved before the
    # unit's planned date. When the date comes the centre chases the unit with a
    # supervision order (挂账督办) and the appeal stays deferred until the unit replies or
    # resumes. It is not put back into handling automatically: its reply deadline has
    # usually long passed, so that would at once mark it overdue and issue a second order
    # for the same lateness, and the unit, not the scan, knows whether the work is done.
    "defer_due": _Watch(
        "defer_due",
        "defer_followed_at",
        lambda now: Q(status=Status.DEFERRED, deferred_until__lte=timezone.localdate(now)),
        _("挂账计划解决日期已到"),
        _("挂账诉求已到计划解决日期，请办结答复或说明进展"),
    ),
}


def scan_deadlines(now: datetime | None = None, batch: int = 500) -> dict[str, int]:
    """Warn before the sign-for and reply deadlines, mark them missed and escalate with an
    automatic supervision order, and follow up deferred appeals at their planned date. Each
    step sets its own timestamp, so running twice (a retried job, two workers) does nothing
    the second time."""
    now = now or clock.now()
    return {name: _run_watch(watch, now, batch) for name, watch in WATCHES.items()}


def _run_watch(watch: _Watch, now: datetime, batch: int) -> int:
    system = Actor.system()
    pending = Q(**{f"{watch.done_field}__isnull": True}) & watch.due(now)
    codes = list(Appeal.objects.filter(pending).values_list("tracking_code", flat=True)[:batch])
    done = 0
    for code in codes:
        with transaction.atomic():
            appeal = lock_appeal(code)
            # checked again under the lock: another worker may have done it meanwhile
            if not Appeal.objects.filter(pending, pk=appeal.pk).exists():
                continue
            apply(
                appeal,
                watch.action,
                system,
                fields={watch.done_field: now},
                reason=str(watch.reason),
            )
            if watch.escalation is not None:
                _supervise_locked(appeal, system, str(watch.escalation), 24, automatic=True)
            done += 1
    return done
