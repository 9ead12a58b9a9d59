"""The nightly run on a demo city: the incidents the generator injected are found where and
when they happened, with their appeals; running it again adds nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cityloop.analytics.store import export_store
from cityloop.demo.generator import generate_demo_city
from cityloop.demo.models import DemoAppealTruth, DemoIncident
from cityloop.geo.models import AreaLevel
from cityloop.geo.services import ancestor_at
from cityloop.warning.models import Alert, AlertKind, WarningRun
from cityloop.warning.nightly import run_warnings

END = date(2026, 6, 30)
DAYS = 240
FIRST_DAY = END - timedelta(days=DAYS - 1)


@pytest.fixture
def demo_store(db):
    generate_demo_city(seed=5, appeals=6000, days=DAYS, streets_per_district=1, end=END)
    export_store(progress=None)


def test_injected_incidents_are_found_on_their_street_with_their_appeals(demo_store) -> None:
    incidents = list(DemoIncident.objects.select_related("grid").order_by("starts_on"))
    assert len(incidents) >= 3
    found = 0
    for incident in incidents:
        if (incident.starts_on - FIRST_DAY).days < 60:
            continue  # too little history before it to know what is usual
        run = run_warnings(as_of=incident.ends_on, trigger="test")
        assert run.finished_at is not None
        street = ancestor_at(incident.grid, AreaLevel.STREET)
        alerts = Alert.objects.filter(
            kind=AlertKind.RISE,
            area=street,
            category=incident.category,
            window_end__gte=incident.starts_on,
            window_start__lte=incident.ends_on,
        )
        if alerts.exists():
            found += 1
            behind = set(alerts.first().appeals.values_list("pk", flat=True))
            injected = set(
                DemoAppealTruth.objects.filter(incident=incident).values_list(
                    "appeal_id", flat=True
                )
            )
            assert behind & injected
    assert found >= 2, f"found {found} of {len(incidents)} incidents"


def test_running_again_for_the_same_day_adds_no_alert(demo_store) -> None:
    incident = DemoIncident.objects.order_by("-starts_on").first()
    first = run_warnings(as_of=incident.ends_on, trigger="test")
    alerts = list(Alert.objects.order_by("pk").values_list("pk", "fingerprint"))
    second = run_warnings(as_of=incident.ends_on, trigger="test")
    assert list(Alert.objects.order_by("pk").values_list("pk", "fingerprint")) == alerts
    assert second.alerts_new == 0 and second.alerts_found == first.alerts_found
    assert WarningRun.objects.filter(finished_at__isnull=False).count() == 2
