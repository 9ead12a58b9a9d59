"""Which staff role may open which page. Appeals inside a page are further limited to what
the actor may see (appeals.scope)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityloop.access.actors import Actor
from cityloop.appeals.selectors import centre_name
from cityloop.assessment.access import ASSESSING
from cityloop.kernel.errors import DomainError
from cityloop.org.models import Role
from cityloop.proactive.access import SEEING_PROPOSALS
from cityloop.warning.access import WATCHING

CALL_TAKING: frozenset[str] = frozenset({Role.CALL_TAKER, Role.DISPATCHER, Role.ADMIN})
DISPATCHING: frozenset[str] = frozenset({Role.DISPATCHER, Role.ADMIN})
HANDLING: frozenset[str] = frozenset({Role.HANDLER, Role.ADMIN})
SUPERVISING: frozenset[str] = frozenset({Role.SUPERVISOR, Role.ADMIN})
# the patrol page is the grid worker's own: it needs a grid (intake.patrol)
PATROLLING: frozenset[str] = frozenset({Role.GRID_WORKER})
ANY_STAFF: frozenset[str] = frozenset(Role.values)

# The pages of the top bar, in order, with the roles that see them.
NAV = [
    ("web:console", gettext_lazy("受理台"), CALL_TAKING),
    ("web:queue", gettext_lazy("派单队列"), DISPATCHING),
    ("web:worklist", gettext_lazy("承办工作台"), HANDLING),
    ("web:patrol", gettext_lazy("网格巡查"), PATROLLING),
    ("web:board", gettext_lazy("督办看板"), SUPERVISING),
    ("web:assessment", gettext_lazy("三率考核"), ASSESSING),
    ("web:warning", gettext_lazy("预警"), WATCHING),
    ("web:proactive", gettext_lazy("未诉先办"), SEEING_PROPOSALS),
    ("web:dashboard", gettext_lazy("一屏统览"), ANY_STAFF),
]


# Where each role lands after login: the page of its daily work. The administrator lands
# on the board (what is late or stuck across the city); /admin/ is one click from the bar.
LANDING: dict[str, str] = {
    Role.CALL_TAKER: "web:console",
    Role.DISPATCHER: "web:queue",
    Role.HANDLER: "web:worklist",
    Role.SUPERVISOR: "web:board",
    Role.ANALYST: "web:assessment",
    Role.GRID_WORKER: "web:patrol",
    Role.ADMIN: "web:board",
}


def home_of(actor: Actor) -> str:
    """The URL name of the page a role starts from (the one rule of LANDING)."""
    return LANDING.get(actor.role, "web:home")


def landing_label(actor: Actor) -> str:
    """That page's name as the top bar shows it."""
    name = home_of(actor)
    return next((str(label) for page, label, _roles in NAV if page == name), "")


def actor_of(request: HttpRequest) -> Actor | None:
    try:
        return Actor.from_user(request.user)
    except DomainError:
        return None


def staff_page(
    roles: frozenset[str],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., Any]]:
    """Log in first; then only the given roles; the view receives the Actor."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            actor = actor_of(request)
            if actor is None or actor.role not in roles:
                return render(
                    request, "web/error.html", {"error": _("您的角色无权使用此页面")}, status=403
                )
            return view(request, actor, *args, **kwargs)

        return wrapper

    return decorate


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Template context: the pages this user may open, and the one name of the centre."""
    centre = {"centre_name": centre_name()}
    actor = actor_of(request) if request.user.is_authenticated else None
    if actor is None:
        return {"nav": [], **centre}
    return {
        "nav": [(name, str(label)) for name, label, roles in NAV if actor.role in roles],
        **centre,
    }
