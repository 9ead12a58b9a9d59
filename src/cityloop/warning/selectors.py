"""Reads for the early-warning board and API: the alerts an actor may see, one alert with
its evidence and the appeals behind it, the timeline of alerts per day."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from cityloop.access.actors import Actor
from cityloop.appeals.models import Appeal
from cityloop.appeals.scope import visible_appeals
from cityloop.geo.models import Area
from cityloop.geo.services import feature_collection
from cityloop.kernel.errors import NotFound
from cityloop.warning.access import visible_alerts
from cityloop.warning.models import Alert, AlertAction, AlertKind, AlertStatus, WarningRun

TIMELINE_DAYS = 60
OPEN_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


def alerts(actor: Actor, *, status: str = "", kind: str = "", limit: int = 100) -> QuerySet[Alert]:
    """Newest first; `status` "active" means open or acknowledged."""
    found = visible_alerts(actor).select_related("area", "area__parent", "category")
    if status == "active":
        found = found.filter(status__in=OPEN_STATUSES)
    elif status:
        found = found.filter(status=status)
    if kind:
        found = found.filter(kind=kind)
    return found.order_by("-window_end", "-statistic", "-pk")[:limit]


@dataclass(frozen=True)
class AlertDetail:
    alert: Alert
    appeals: list[Appeal]
    appeals_total: int
    actions: list[AlertAction]


def alert_for(actor: Actor, alert_id: int) -> Alert:
    """One alert `actor` may see (404 for the others: their existence is not told)."""
    alert = (
        visible_alerts(actor)
        .select_related("area", "area__parent", "category", "response_appeal")
        .filter(pk=alert_id)
        .first()
    )
    if alert is None:
        raise NotFound("alert_not_found", _("预警不存在"))
    return alert


def alert_detail(alert_id: int, actor: Actor, *, appeals_shown: int = 50) -> AlertDetail:
    alert = alert_for(actor, alert_id)
    # the appeals behind it that this actor may open (a unit sees its own)
    behind = visible_appeals(actor).filter(alerts=alert).select_related("category", "main_unit")
    return AlertDetail(
        alert=alert,
        appeals=list(behind.order_by("received_at")[:appeals_shown]),
        appeals_total=behind.count(),
        actions=list(alert.actions.select_related("actor").order_by("at", "pk")),
    )


def timeline(actor: Actor, *, until: date, days: int = TIMELINE_DAYS) -> dict[str, Any]:
    """Alerts per day of their first day and per kind, over the last `days` days."""
    since = until - timedelta(days=days - 1)
    rows = (
        visible_alerts(actor)
        .filter(window_start__gte=since, window_start__lte=until)
        .values_list("window_start", "kind")
    )
    tally = Counter(rows)
    dates = [since + timedelta(days=n) for n in range(days)]
    return {
        "dates": [day.isoformat() for day in dates],
        "series": [
            {"kind": kind, "label": str(label), "counts": [tally[(day, kind)] for day in dates]}
            for kind, label in AlertKind.choices
        ],
    }


def status_counts(actor: Actor) -> dict[str, int]:
    counts = Counter(visible_alerts(actor).values_list("status", flat=True))
    return {status: counts[status] for status in AlertStatus.values}


def latest_run() -> WarningRun | None:
    return WarningRun.objects.order_by("-started_at").first()


def alert_places(shown: list[Alert]) -> dict[str, Any]:
    """The areas of the alerts shown, as GeoJSON for the board's map (a cluster: its grids),
    each feature carrying the ids of its alerts."""
    alerts_of: dict[int, list[int]] = {}
    kinds_of: dict[int, set[str]] = {}
    for alert in shown:
        area_ids = alert.evidence.get("grids") or ([alert.area_id] if alert.area_id else [])
        for area_id in area_ids:
            alerts_of.setdefault(area_id, []).append(alert.pk)
            kinds_of.setdefault(area_id, set()).add(alert.kind)
    places = feature_collection(
        Area.objects.filter(pk__in=alerts_of).select_related("parent"), digits=5
    )
    ids = {area.code: area.pk for area in Area.objects.filter(pk__in=alerts_of).only("code")}
    for feature in places["features"]:
        area_id = ids[feature["id"]]
        feature["properties"]["alerts"] = alerts_of[area_id]
        feature["properties"]["kinds"] = sorted(kinds_of[area_id])
    return places
