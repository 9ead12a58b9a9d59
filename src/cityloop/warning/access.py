"""Who may see the early warnings and who may act on them. One definition for the board, the
API and the jobs' callers.

Alerts are about places, not people: a watcher sees the alerts of the areas their unit
covers (the centre and administrators: the whole city). Acting on an alert — acknowledging,
dismissing, turning it into a case — is for supervisors and administrators."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cityloop.access.actors import Actor
from cityloop.geo.models import Area
from cityloop.kernel.errors import PermissionDenied
from cityloop.org.models import Role
from cityloop.warning.models import Alert

WATCHING: frozenset[str] = frozenset({Role.SUPERVISOR, Role.ANALYST, Role.DISPATCHER, Role.ADMIN})
ACTING: frozenset[str] = frozenset({Role.SUPERVISOR, Role.ADMIN})


def may_watch(actor: Actor) -> bool:
    return actor.role in WATCHING


def check_may_watch(actor: Actor) -> None:
    if not may_watch(actor):
        raise PermissionDenied("role_not_allowed", _("您的角色无权查看预警"))


def check_may_act(actor: Actor) -> None:
    if actor.role not in ACTING:
        raise PermissionDenied("role_not_allowed", _("只有督办人员可以处置预警"))


def visible_alerts(actor: Actor) -> QuerySet[Alert]:
    """The alerts `actor` may see: all for the centre, those inside their unit's territory
    for a district or street unit, none for a unit without one."""
    check_may_watch(actor)
    alerts = Alert.objects.all()
    if actor.sees_everything:
        return alerts
    territory = actor.unit.area if actor.unit is not None else None
    if territory is None:
        return alerts.none()
    return alerts.filter(area_id__in=_area_subtree(territory))


def _area_subtree(area: Area) -> set[int]:
    ids, frontier = {area.pk}, [area.pk]
    while frontier:
        frontier = list(Area.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.update(frontier)
    return ids
