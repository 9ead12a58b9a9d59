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


def test_a_run_cut_off_half_way_is_completed_by_the_next_and_adds_nothing_twice(
    demo_store, monkeypatch
) -> None:
    from cityloop.warning import findings

    incident = DemoIncident.objects.order_by("-starts_on").first()
    saved = {"n": 0}
    keep = findings.continuing

    def killed_after_two(finding):
        saved["n"] += 1
        if saved["n"] > 2:
            raise KeyboardInterrupt  # the process dies while saving the third alert
        return keep(finding)

    monkeypatch.setattr(findings, "continuing", killed_after_two)
    with pytest.raises(KeyboardInterrupt):
        run_warnings(as_of=incident.ends_on, trigger="test")
    monkeypatch.undo()
    assert Alert.objects.count() == 2
    assert WarningRun.objects.get().finished_at is None  # the cut-off run says so

    first = run_warnings(as_of=incident.ends_on, trigger="test")
    assert first.alerts_found > 2 and first.alerts_new == first.alerts_found - 2
    alerts = list(Alert.objects.order_by("pk").values_list("pk", "fingerprint"))
    assert len(alerts) == first.alerts_found
    second = run_warnings(as_of=incident.ends_on, trigger="test")
    assert list(Alert.objects.order_by("pk").values_list("pk", "fingerprint")) == alerts
    assert second.alerts_new == 0 and second.alerts_found == first.alerts_found
    assert WarningRun.objects.filter(finished_at__isnull=False).count() == 2
