"""群众评价: recording the citizen's answers, reopening when unresolved, and 剔除 requests."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cityloop.access.actors import Actor
from cityloop.appeals.enums import (
    NO_CALLER_CHANNELS,
    NOT_RATED_ON_RESOLUTION,
    DecisionStatus,
    Satisfaction,
)
from cityloop.appeals.models import Appeal
from cityloop.appeals.public_text import public_version
from cityloop.appeals.services.core import apply, lock_appeal
from cityloop.evaluate.models import AssessmentExclusion, Callback
from cityloop.handling.services import reopen
from cityloop.kernel import clock
from cityloop.kernel.errors import DomainError


def record_callback(
    tracking_code: str,
    *,
    actor: Actor,
    reached: bool = True,
    contacted: bool | None = None,
    resolved: bool | None = None,
    satisfaction: str = "",
    comment: str = "",
    reopen_if_unresolved: bool = False,
) -> Callback:
    """回访: a valid callback needs all three answers — a suggestion (建议) only whether the
    unit made contact and the satisfaction: it is answered, not resolved, so `resolved` is
    not asked, not recorded and never reopens it. An unreached citizen is recorded but does
    not count in the three rates."""
    if reached:
        if contacted is None:
            raise DomainError("answers_required", _("请回答：是否联系、是否解决"))
        if satisfaction not in Satisfaction.values:
            raise DomainError(
                "invalid_satisfaction",
                _("满意度须为：满意、基本满意或不满意"),
                field="satisfaction",
            )
    with transaction.atomic():
        appeal = lock_appeal(tracking_code)
        if appeal.channel in NO_CALLER_CHANNELS:
            raise DomainError(
                "no_caller_to_call_back",
                _("该工单来自%(channel)s，没有诉求人，不回访"),
                channel=appeal.get_channel_display(),
            )
        if appeal.main_unit is None:
            raise DomainError("no_main_unit", _("该诉求没有主办单位，无法评价"))
        public_comment = public_version(comment, caller_name=appeal.caller_name, writer=actor)
        if appeal.appeal_type in NOT_RATED_ON_RESOLUTION:
            resolved = None
        elif reached and resolved is None:
            raise DomainError("answers_required", _("请回答：是否联系、是否解决"))
        if not reached:
            apply(appeal, "callback_unreached", actor, reason=comment)
            return Callback.objects.create(
                appeal=appeal,
                unit=appeal.main_unit,
                at=clock.now(),
                is_valid=False,
                comment=comment,
                public_comment=public_comment,
                recorded_by=actor.user,
                is_latest=False,
            )
        answers = {"contacted": contacted, "resolved": resolved, "satisfaction": satisfaction}
        apply(
            appeal,
            "evaluate",
            actor,
            reason=comment,
            fields={"evaluated_at": clock.now()},
            details=answers,
        )
        Callback.objects.filter(appeal=appeal, is_latest=True).update(is_latest=False)
        callback = Callback.objects.create(
            appeal=appeal,
            unit=appeal.main_unit,
            at=clock.now(),
            contacted=contacted,
            resolved=resolved,
            satisfaction=satisfaction,
            comment=comment,
            public_comment=public_comment,
            recorded_by=actor.user,
        )
        if reopen_if_unresolved and resolved is False:
            reopen(tracking_code, actor=actor, reason=comment or str(_("群众反映问题未解决")))
    return callback


def request_exclusion(tracking_code: str, *, actor: Actor, reason: str) -> AssessmentExclusion:
    with transaction.atomic():
        appeal = lock_appeal(tracking_code)
        if AssessmentExclusion.objects.filter(appeal=appeal).exists():
            raise DomainError("exclusion_exists", _("该诉求已申请过考核剔除"))
        apply(appeal, "request_exclusion", actor, reason=reason)
        return AssessmentExclusion.objects.create(
            appeal=appeal, reason=reason, requested_by=actor.user, requested_at=clock.now()
        )


def decide_exclusion(
    tracking_code: str, *, actor: Actor, approve: bool, note: str = ""
) -> AssessmentExclusion:
    with transaction.atomic():
        appeal: Appeal = lock_appeal(tracking_code)
        exclusion = AssessmentExclusion.objects.select_for_update().filter(appeal=appeal).first()
        if exclusion is None or exclusion.status != DecisionStatus.PENDING:
            raise DomainError("no_pending_exclusion", _("该诉求没有待审批的考核剔除申请"))
        verdict = _("同意剔除") if approve else _("驳回剔除")
        apply(appeal, "decide_exclusion", actor, reason=f"{verdict} {note}".strip())
        exclusion.status = DecisionStatus.APPROVED if approve else DecisionStatus.REJECTED
        exclusion.decided_by, exclusion.decided_at = actor.user, clock.now()
        exclusion.save(update_fields=["status", "decided_by", "decided_at"])
    return exclusion
