"""What a detector found, and how a finding becomes an alert exactly once.

A finding is keyed by its fingerprint (kind, method, area, category or topic, first day):
a rise that goes on for a third day, found again the next night with the same first day,
updates its alert (window, counts, appeals) instead of raising a second one, and a run cut
off half-way and started again rewrites the same alerts. A finding that begins the day
after an alert of the same kind, place and subject ended (or inside it) continues that
alert. A supervisor's decision stays: an
alert dismissed yesterday is not reopened because the rise is found again today."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction

from cityloop.appeals.models import Appeal
from cityloop.warning.models import Alert, WarningRun


@dataclass(frozen=True)
class Finding:
    kind: str
    method: str
    window_start: date
    window_end: date
    observed: float
    expected: float
    statistic: float
    area_id: int | None = None
    category_id: int | None = None
    topic: str = ""
    threshold: float | None = None
    p_value: float | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    appeal_ids: Sequence[int] = ()

    @property
    def fingerprint(self) -> str:
        key = "|".join(
            str(part)
            for part in (
                self.kind,
                self.method,
                self.area_id or "",
                self.category_id or "",
                self.topic,
                self.window_start.isoformat(),
            )
        )
        return hashlib.sha256(key.encode()).hexdigest()


def continuing(finding: Finding) -> Finding:
    """The finding with the first day of the alert it continues, if one of the same kind,
    place and category or topic ran up to the day before it began: a rise in its third week
    or a topic still bursting tomorrow stays one alert."""
    earlier = (
        Alert.objects.filter(
            kind=finding.kind,
            method=finding.method,
            area=finding.area_id,
            category=finding.category_id,
            topic=finding.topic,
            window_start__lt=finding.window_start,
            window_end__gte=finding.window_start - timedelta(days=1),
        )
        .order_by("window_start")
        .values_list("window_start", flat=True)
        .first()
    )
    return finding if earlier is None else replace(finding, window_start=earlier)


def save_findings(findings: Iterable[Finding], run: WarningRun, at: datetime) -> int:
    """Write each finding as an alert (created or updated); return how many were new."""
    new = 0
    for found in findings:
        finding = continuing(found)
        with transaction.atomic():
            values = {
                "kind": finding.kind,
                "method": finding.method,
                "area_id": finding.area_id,
                "category_id": finding.category_id,
                "topic": finding.topic,
                "window_start": finding.window_start,
                "window_end": finding.window_end,
                "observed": finding.observed,
                "expected": finding.expected,
                "statistic": finding.statistic,
                "threshold": finding.threshold,
                "p_value": finding.p_value,
                "evidence": finding.evidence,
                "last_found_at": at,
                "found_by": run,
            }
            alert, created = Alert.objects.select_for_update().update_or_create(
                fingerprint=finding.fingerprint,
                defaults=values,
                create_defaults={**values, "first_found_at": at},
            )
            # the store may hold an appeal the record no longer has (removed since the
            # last export): only the record's own are linked
            alert.appeals.set(Appeal.objects.filter(pk__in=list(finding.appeal_ids)))
            new += created
    return new
