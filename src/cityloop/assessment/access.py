"""Who may see the assessment (统一考核): the ranking of every unit, its trend and the
callbacks behind it. One definition for the assessment pages and the API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cityloop.access.actors import Actor
from cityloop.kernel.errors import PermissionDenied
from cityloop.org.models import Role

ASSESSING: frozenset[str] = frozenset({Role.SUPERVISOR, Role.ANALYST, Role.DISPATCHER, Role.ADMIN})


def may_assess(actor: Actor) -> bool:
    return actor.role in ASSESSING


def check_may_assess(actor: Actor) -> None:
    if not may_assess(actor):
        raise PermissionDenied("role_not_allowed", _("您的角色无权查看考核排名"))
