"""The generator writes a living city with recorded ground truth, deterministically."""

from __future__ import annotations

from datetime import date

from django.db.models import Count

from cityloop.appeals.enums import Status
from cityloop.appeals.models import Appeal, AppealEvent
from cityloop.assessment.rates import monthly_ranking
from cityloop.demo.generator import generate_demo_city
from cityloop.demo.models import DemoAppealTruth, DemoIncident
from cityloop.geo.models import Area
from cityloop.geo.services import ancestor_at, locate
from cityloop.intake.patrol.models import PatrolAssignment
from cityloop.org.models import Role, StaffProfile
from cityloop.proactive.models import Proposal


def fingerprint() -> list[tuple[object, ...]]:
    return list(
        Appeal.objects.order_by("tracking_code").values_list(
            "tracking_code", "status", "title", "main_unit__code", "received_at"
        )
    )


def test_small_city_history(db):
    summary = generate_demo_city(
        seed=11, appeals=400, days=60, streets_per_district=1, end=date(2026, 3, 31)
    )
    assert summary["appeals"] == 400 and summary["districts"] == 16
    assert Appeal.objects.count() == 400
    statuses = dict(Appeal.objects.values_list("status").annotate(n=Count("id")))
    assert statuses[Status.CLOSED] > 300
    # Every appeal's events count up from 1 to its version with no gap.
    for appeal in Appeal.objects.all()[:50]:
        seqs = list(appeal.events.values_list("seq", flat=True))
        assert seqs == list(range(1, appeal.version + 1))
    assert AppealEvent.objects.filter(action="receive").count() == 400
    # Ground truth: incidents with their burst of appeals in one grid.
    incident = DemoIncident.objects.first()
    assert incident is not None
    burst = DemoAppealTruth.objects.filter(incident=incident)
    assert burst.count() == incident.extra_appeals
    assert {t.appeal.grid_id for t in burst} == {incident.grid_id}
    assert len({t.duplicate_group for t in burst}) == 1
    # Appeals sit where their grid says.
    sample = Appeal.objects.select_related("grid").first()
    assert locate(sample.lat, sample.lng) == sample.grid
    assert monthly_ranking(date(2026, 3, 1)).rows
    assert Area.objects.filter(level="grid").count() > 100
    # The incidents' bursts at one grid are proposed as proactive work (未诉先办).
    assert summary["proposals"] == Proposal.objects.count() > 0
    assert Proposal.objects.filter(source="recurring", area_id=incident.grid_id).exists()
    # A grid worker patrols a grid of the street office they work for (intake.patrol).
    worker = StaffProfile.objects.get(user__username="gridworker", role=Role.GRID_WORKER)
    grid = PatrolAssignment.objects.get(worker=worker.user).grid
    assert ancestor_at(grid, "street") == worker.unit.area


def test_same_seed_same_history(db):
    generate_demo_city(seed=5, appeals=150, days=30, streets_per_district=1, end=date(2026, 1, 31))
    first = fingerprint()
    Appeal.objects.all().delete()
    DemoIncident.objects.all().delete()
    generate_demo_city(seed=5, appeals=150, days=30, streets_per_district=1, end=date(2026, 1, 31))
    assert fingerprint() == first
