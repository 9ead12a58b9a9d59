"""统一督办: extension requests (延期), supervision orders (督办单) and the deadline scan
that warns before a deadline, marks overdue and escalates."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from cityloop.appeals.actors import Actor
from cityloop.appeals.enums import DecisionStatus, Status, SupervisionStatus
from cityloop.appeals.models import Appeal, ExtensionRequest, SupervisionOrder
from cityloop.appeals.services.core import apply, check_unit_scope, lock_appeal
from cityloop.core import clock
from cityloop.core.errors import DomainError, NotFound
from cityloop.org.models import Role
from cityloop.sla.calendar import add_working_days

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
        request = ExtensionRequest.objects.select_for_update().get(pk=request_id)
        if request.status != DecisionStatus.PENDING:
            raise DomainError("extension_decided", _("该延期申请已审批"))
        if actor.role == Role.SUPERVISOR:
            check_unit_scope(appeal, actor)
        fields: dict[str, object] = {}
        if approve:
            assert appeal.reply_due_at is not None
            new_due = add_working_days(appeal.reply_due_at, request.extra_working_days)
            allowance = new_due - (appeal.dispatched_at or appeal.received_at)
            fields = {
                "reply_due_at": new_due,
                "warn_at": new_due - allowance / 5,
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


HANDLING = [Status.DISPATCHED, Status.SIGNED, Status.IN_PROGRESS]


def scan_deadlines(now: datetime | None = None, batch: int = 500) -> dict[str, int]:
    """Warn before the reply deadline, mark overdue and escalate with an automatic
    supervision order. Each step sets its own timestamp, so running twice (a retried job,
    two workers) does nothing the second time."""
    now = now or clock.now()
    system = Actor.system()
    counts = {"warned": 0, "overdue": 0}
    due_soon = Appeal.objects.filter(
        status__in=HANDLING, warned_at__isnull=True, warn_at__lte=now, reply_due_at__gt=now
    ).values_list("tracking_code", flat=True)[:batch]
    for code in list(due_soon):
        with transaction.atomic():
            appeal = lock_appeal(code)
            if appeal.warned_at is None and appeal.status in HANDLING:
                apply(
                    appeal,
                    "warn",
                    system,
                    fields={"warned_at": now},
                    reason=_g("距办结时限不足，请抓紧办理"),
                )
                counts["warned"] += 1
    overdue = Appeal.objects.filter(
        status__in=HANDLING, overdue_at__isnull=True, reply_due_at__lte=now
    ).values_list("tracking_code", flat=True)[:batch]
    for code in list(overdue):
        with transaction.atomic():
            appeal = lock_appeal(code)
            if appeal.overdue_at is None and appeal.status in HANDLING:
                apply(
                    appeal,
                    "mark_overdue",
                    system,
                    fields={"overdue_at": now},
                    reason=_g("已超过办结时限"),
                )
                _supervise_locked(
                    appeal, system, _g("诉求已超期未办结，请立即办理并反馈"), 24, automatic=True
                )
                counts["overdue"] += 1
    return counts
