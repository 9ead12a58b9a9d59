"""Who is acting: a staff member with a role in a unit, a citizen, or the system itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from cityloop.kernel.errors import PermissionDenied
from cityloop.org.models import Role, Unit, UnitKind

# Actors who are not staff of a unit: the citizen and the system itself (jobs, the demo).
CITIZEN = "citizen"
SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    role: str
    name: str
    user: Any = None
    unit: Unit | None = None

    @classmethod
    def from_user(cls, user: Any) -> Actor:
        if user is None or not user.is_authenticated:
            raise PermissionDenied("login_required", _("请先登录"))
        profile = getattr(user, "staff", None)
        if profile is None:
            if user.is_superuser:
                return cls(Role.ADMIN, user.get_username(), user, None)
            raise PermissionDenied("not_staff", _("该账号不是工作人员，无权办理诉求"))
        name = profile.display_name or user.get_username()
        return cls(profile.role, name, user, profile.unit)

    @classmethod
    def citizen(cls, name: str = "") -> Actor:
        return cls(CITIZEN, name or _("市民"))

    @classmethod
    def system(cls) -> Actor:
        return cls(SYSTEM, _("系统"))

    @property
    def label(self) -> str:
        return f"{self.name}（{self.unit.name}）" if self.unit else self.name

    @property
    def sees_everything(self) -> bool:
        """Administrators, the system and the 12345 centre's own staff see every appeal."""
        if self.role in (Role.ADMIN, SYSTEM):
            return True
        return self.unit is not None and self.unit.kind == UnitKind.CENTER

    @property
    def sees_personal_data(self) -> bool:
        """Staff who handle cases see the caller's name, phone and the original text;
        analysts work on the public version (个人信息保护)."""
        return self.role != Role.ANALYST

    def visible_unit_ids(self) -> set[int] | None:
        """None means all units. A handler sees their unit; a supervisor the units under theirs."""
        if self.sees_everything:
            return None
        if self.unit is None or self.role == Role.GRID_WORKER:
            # a grid worker sees their grid's appeals, in the public version, on the patrol
            # page (intake.patrol.selectors), not their street office's cases
            return set()
        if self.role == Role.SUPERVISOR:
            return self.unit.subtree_ids()
        return {self.unit.pk}


def refuse_phone_lookup(actor: Actor) -> None:
    """Finding a person's appeals by their phone number is for staff who handle cases."""
    if not actor.sees_personal_data:
        raise PermissionDenied("personal_data_refused", _("您的角色无权按来电号码查询诉求"))
