"""The one rule for "which appeals may this actor see, and on which may it act".

A unit *holds* an appeal while it is the main unit (主办) or has a live assistance
assignment (协办: pending or signed, i.e. its part is not yet done). An actor's units are
those of `Actor.visible_unit_ids()`: a handler's own unit, a supervisor's unit and every
unit under it; the 12345 centre, administrators and the system have no limit.

- seeing: an appeal held by any of the actor's units;
- acting on a unit-scoped step (transitions.Transition.unit_scoped): the appeal held by
  one of the actor's units *in the role the step is for* (main unit, or assisting unit).

Selectors, pages, the APIs and the write path (services.core.apply) all ask here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cityloop.access.actors import CITIZEN, Actor
from cityloop.appeals.codes import by_code, clean_tracking_code
from cityloop.appeals.enums import AssignmentRole, AssignmentStatus
from cityloop.appeals.models import Appeal, AppealAssignment
from cityloop.appeals.transitions import TRANSITIONS, allowed_actions
from cityloop.kernel.errors import NotFound, PermissionDenied

# An assisting unit holds the appeal until it has given its part (协办反馈).
LIVE_ASSIGNMENTS: Sequence[str] = (AssignmentStatus.PENDING, AssignmentStatus.SIGNED)


class _Coded(Protocol):
    @property
    def tracking_code(self) -> str: ...


T = TypeVar("T", bound=_Coded)


def _live_assists(unit_ids: Iterable[int]) -> QuerySet[AppealAssignment]:
    return AppealAssignment.objects.filter(
        unit_id__in=unit_ids, role=AssignmentRole.ASSIST, status__in=LIVE_ASSIGNMENTS
    )


def held_by(unit_ids: Iterable[int]) -> Q:
    """Appeals these units hold, as a filter on Appeal."""
    ids = list(unit_ids)
    return Q(main_unit_id__in=ids) | Q(pk__in=_live_assists(ids).values("appeal_id"))


def visible_appeals(actor: Actor, appeals: QuerySet[Appeal] | None = None) -> QuerySet[Appeal]:
    """The appeals (of `appeals`, by default all) the actor may see."""
    appeals = Appeal.objects.all() if appeals is None else appeals
    unit_ids = actor.visible_unit_ids()
    if unit_ids is None:
        return appeals
    return appeals.filter(held_by(unit_ids))


def only_visible(actor: Actor, items: Sequence[T]) -> list[T]:
    """Keep, in order, the items (appeals or anything with a `tracking_code`) of an already
    fetched list whose appeal the actor may see."""
    if actor.visible_unit_ids() is None:
        return list(items)
    codes = [item.tracking_code for item in items]
    allowed = set(
        visible_appeals(actor, Appeal.objects.filter(tracking_code__in=codes)).values_list(
            "tracking_code", flat=True
        )
    )
    return [item for item in items if item.tracking_code in allowed]


def may_see(appeal: Appeal, actor: Actor) -> bool:
    unit_ids = actor.visible_unit_ids()
    if unit_ids is None:
        return True
    return appeal.main_unit_id in unit_ids or _live_assists(unit_ids).filter(appeal=appeal).exists()


def appeal_by_code(tracking_code: str) -> Appeal:
    """The appeal with this tracking code, whoever asks (callers check `may_see` first)."""
    tracking_code = clean_tracking_code(tracking_code)
    appeal = (
        Appeal.objects.select_related(
            "main_unit", "category", "grid", "street", "district", "merged_into"
        )
        .filter(by_code(tracking_code))
        .first()
    )
    if appeal is None:
        raise NotFound(
            "appeal_not_found", _("查询码 %(code)s 对应的诉求不存在"), code=tracking_code
        )
    return appeal


def access_appeal(tracking_code: str, actor: Actor) -> Appeal:
    """The appeal if it exists and the actor may see it; a unit asking for another unit's
    appeal is refused."""
    appeal = appeal_by_code(tracking_code)
    if not may_see(appeal, actor):
        raise PermissionDenied("not_your_appeal", _("无权查看其他单位的诉求"))
    return appeal


def live_assist_of(appeal: Appeal, actor: Actor) -> AppealAssignment | None:
    """The assistance assignment the actor's own unit still holds on this appeal, if any."""
    if actor.unit is None:
        return None
    return _live_assists([actor.unit.pk]).filter(appeal=appeal).first()


def may_act(appeal: Appeal, actor: Actor, *, role: str = AssignmentRole.MAIN) -> bool:
    """May the actor take a unit-scoped step on the appeal in this role?"""
    unit_ids = actor.visible_unit_ids()
    if unit_ids is None:
        return True
    if role == AssignmentRole.MAIN:
        return appeal.main_unit_id in unit_ids
    return _live_assists(unit_ids).filter(appeal=appeal).exists()


def check_may_act(appeal: Appeal, actor: Actor, *, role: str = AssignmentRole.MAIN) -> None:
    if not may_act(appeal, actor, role=role):
        raise PermissionDenied(
            "not_your_appeal",
            _("该诉求不由%(unit)s承办，无权操作"),
            unit=actor.unit.name if actor.unit else "",
        )


def check_scope(appeal: Appeal, actor: Actor, *, held_as: str | None) -> None:
    """The write path's check: a unit-scoped step needs the appeal held by the actor's units
    in the role `held_as`; any other staff step needs that the actor may see the appeal.
    Citizens reach their own appeal by its tracking code (and phone), the system anything."""
    if actor.role == CITIZEN:
        return
    if held_as is not None:
        check_may_act(appeal, actor, role=held_as)
    elif not may_see(appeal, actor):
        raise PermissionDenied("not_your_appeal", _("无权查看其他单位的诉求"))


# A co-handling unit signs for and replies through the main unit's steps; the services
# record them as these steps of its own.
ASSIST_STEPS = {"sign_for": "assist_sign_for", "reply": "assist_reply"}


def available_actions(appeal: Appeal, actor: Actor) -> list[str]:
    """The one rule for which actions the actor may take on the appeal now: the transition
    table allows the step for the appeal's status and the actor's role, and a unit's step
    needs the appeal held by the actor's units — as main unit, or as co-handling unit for
    the steps it takes in that role (signing for its part, then replying to it)."""
    assist = live_assist_of(appeal, actor)
    if assist is not None:
        own_steps = {
            step: TRANSITIONS[assist_step]
            for step, assist_step in ASSIST_STEPS.items()
            if step != "sign_for" or assist.status == AssignmentStatus.PENDING
        }
        return [
            t.action for t in allowed_actions(appeal.status, actor.role) if not t.unit_scoped
        ] + [
            step
            for step, t in own_steps.items()
            if appeal.status in t.sources and actor.role in t.roles
        ]
    holds = may_act(appeal, actor)
    return [
        t.action for t in allowed_actions(appeal.status, actor.role) if holds or not t.unit_scoped
    ]
