"""一屏统览: the leadership dashboard's figures, computed on the database in a few queries
(the page web/views.py only renders them)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from django.db.models import Avg, Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from cityloop.appeals.deadlines import overdue_q
from cityloop.appeals.enums import HANDLING_STATUSES
from cityloop.appeals.models import Appeal
from cityloop.assessment.rates import city_rates
from cityloop.kernel import clock


def figures(days: int = 30) -> dict[str, Any]:
    now = clock.now()
    first_day = clock.today() - timedelta(days=days - 1)
    recent = Appeal.objects.filter(received_at__gte=clock.start_of_day(first_day))
    daily = (
        # the local calendar day (TruncDate would otherwise use the current time zone too,
        # but say it: a UTC day would split the city's night in two)
        recent.annotate(day=TruncDate("received_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    mix = (
        recent.filter(category__isnull=False)
        .values("category__parent__parent__name", "category__parent__name", "category__name")
        .annotate(n=Count("id"))
        .order_by("-n")[:10]
    )
    by_district = dict(
        recent.filter(district__isnull=False)
        .values_list("district__code")
        .annotate(n=Count("id"))
        .values_list("district__code", "n")
    )
    month = clock.this_month()
    return {
        "today": Appeal.objects.filter(received_at__gte=clock.today_start()).count(),
        "open": Appeal.objects.filter(status__in=HANDLING_STATUSES).count(),
        "overdue": Appeal.objects.filter(overdue_q(now)).count(),
        "emergency_open": Appeal.objects.filter(
            status__in=HANDLING_STATUSES, urgency="emergency"
        ).count(),
        "daily": [{"day": row["day"].isoformat(), "n": row["n"]} for row in daily],
        "mix": [
            {
                "name": row["category__name"],
                "path": " › ".join(
                    filter(
                        None,
                        [
                            row["category__parent__parent__name"],
                            row["category__parent__name"],
                            row["category__name"],
                        ],
                    )
                ),
                "n": row["n"],
            }
            for row in mix
        ],
        "by_district": by_district,
        "month": f"{month:%Y-%m}",
        "rates": asdict(city_rates(month)),
        "since": first_day.isoformat(),
        "hot_grids": list(
            recent.filter(status__in=HANDLING_STATUSES, grid__isnull=False)
            .values("grid__code", "grid__name", "street__name")
            .annotate(
                n=Count("id"),
                overdue=Count("id", filter=overdue_q(now)),
                lat=Avg("lat"),
                lng=Avg("lng"),
            )
            .order_by("-n")[:10]
        ),
    }
