"""主动治理占比: of the appeals a unit (or the city) received in a month, the share that were
proactive — work the centre raised itself (channel "proactive", 未诉先办) rather than a
citizen's call.

Counted apart from the three rates: a proactive appeal has no caller to call back, so it
never has a callback to rate (assessment.rates counts callbacks only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet

from cityloop.appeals.enums import Channel
from cityloop.appeals.models import Appeal
from cityloop.kernel import clock
from cityloop.org.models import Unit


@dataclass(frozen=True)
class ProactiveShare:
    unit_code: str  # empty for the city
    unit_name: str
    received: int  # every appeal received in the month, proactive ones included
    proactive: int

    @property
    def share(self) -> float | None:
        """proactive / received; None when nothing was received."""
        return self.proactive / self.received if self.received else None


def _proactive_count() -> Count:
    return Count("pk", filter=Q(channel=Channel.PROACTIVE))


def _received_in(month: date) -> QuerySet[Appeal]:
    start, end = clock.month_bounds(month)
    return Appeal.objects.filter(received_at__gte=start, received_at__lt=end)


def city_proactive_share(month: date) -> ProactiveShare:
    totals = _received_in(month).aggregate(received=Count("pk"), proactive=_proactive_count())
    return ProactiveShare("", "", totals["received"], totals["proactive"])


def proactive_share_by_unit(month: date, *, only_proactive: bool = True) -> list[ProactiveShare]:
    """Per main unit, the highest share first; with `only_proactive` only the units that
    received at least one proactive appeal in the month."""
    rows = (
        _received_in(month)
        .exclude(main_unit=None)
        .values("main_unit_id")
        .annotate(received=Count("pk"), proactive=_proactive_count())
        .order_by()
    )
    wanted = [row for row in rows if row["proactive"] or not only_proactive]
    units = Unit.objects.in_bulk([row["main_unit_id"] for row in wanted])
    shares = [
        ProactiveShare(
            units[row["main_unit_id"]].code,
            units[row["main_unit_id"]].name,
            row["received"],
            row["proactive"],
        )
        for row in wanted
    ]
    return sorted(shares, key=lambda s: (-(s.share or 0.0), -s.proactive, s.unit_code))
