"""What supervisors do with an alert: acknowledge it, dismiss it (with a reason — the
dismissals are how the false-alarm rate is watched) or turn it into a case (响应, done by
proactive.services.respond_to_alert, which records it here). Each is one transaction that
writes the alert's new status and its AlertAction (who, when, why)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cityloop.access.actors import Actor
from cityloop.appeals.models import Appeal
from cityloop.kernel import clock
from cityloop.kernel.errors import DomainError, NotFound
from cityloop.warning.access import check_may_act, visible_alerts
from cityloop.warning.models import Alert, AlertAction, AlertStatus

MAX_REASON = 2000

# action → (the statuses it may start from, the status it leads to)
ALERT_ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "acknowledge": (frozenset({AlertStatus.OPEN}), AlertStatus.ACKNOWLEDGED),
    "dismiss": (frozenset({AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED}), AlertStatus.DISMISSED),
    "respond": (frozenset({AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED}), AlertStatus.RESPONDED),
}


def acknowledge(alert_id: int, *, actor: Actor, reason: str = "") -> Alert:
    return _change(alert_id, "acknowledge", actor=actor, reason=reason)


def dismiss(alert_id: int, *, actor: Actor, reason: str) -> Alert:
    if not reason.strip():
        raise DomainError("reason_required", _("排除预警须说明理由"))
    return _change(alert_id, "dismiss", actor=actor, reason=reason)


def mark_responded(alert_id: int, *, actor: Actor, appeal: Appeal, reason: str = "") -> Alert:
    """Record that the alert became the case `appeal`; call inside the transaction that
    made the appeal, so both or neither are written."""
    return _change(alert_id, "respond", actor=actor, reason=reason, appeal=appeal)


def _change(
    alert_id: int, action: str, *, actor: Actor, reason: str, appeal: Appeal | None = None
) -> Alert:
    check_may_act(actor)
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise DomainError("reason_too_long", _("理由不能超过 %(n)d 字"), n=MAX_REASON)
    allowed_from, to_status = ALERT_ACTIONS[action]
    with transaction.atomic():
        alert = visible_alerts(actor).select_for_update().filter(pk=alert_id).first()
        if alert is None:
            raise NotFound("alert_not_found", _("预警不存在"))
        if alert.status not in allowed_from:
            raise DomainError(
                "alert_state",
                _("该预警当前状态为“%(status)s”，不能再%(action)s"),
                status=alert.get_status_display(),
                action=ACTION_LABELS[action],
            )
        AlertAction.objects.create(
            alert=alert,
            action=action,
            from_status=alert.status,
            to_status=to_status,
            actor=actor.user,
            at=clock.now(),
            reason=reason,
        )
        alert.status = to_status
        if appeal is not None:
            alert.response_appeal = appeal
        alert.save(update_fields=["status", "response_appeal"])
    return alert


ACTION_LABELS = {"acknowledge": _("确认"), "dismiss": _("排除"), "respond": _("响应")}
