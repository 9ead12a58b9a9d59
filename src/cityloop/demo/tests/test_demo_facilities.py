"""The demo city's facilities stand on its grids with the right units, and the simulated feed
folds a burst of alarms into one appeal per faulty device."""

from __future__ import annotations

from datetime import date

from cityloop.appeals.models import Appeal
from cityloop.demo.facilities import simulate_feed
from cityloop.demo.generator import generate_demo_city
from cityloop.geo.models import AreaLevel
from cityloop.geo.services import ancestor_at, locate
from cityloop.intake.sensors.models import Facility, FacilityKind, SensorCase


def test_demo_facilities_and_feed(db):
    summary = generate_demo_city(
        seed=3, appeals=60, days=20, streets_per_district=1, end=date(2026, 2, 28)
    )
    assert summary["facilities"] == Facility.objects.count() == 300
    assert Facility.objects.filter(kind=FacilityKind.GAS_POINT, unit__code="GAS").exists()
    for facility in Facility.objects.select_related("grid", "unit", "standard_address")[:60]:
        assert locate(facility.lat, facility.lng) == facility.grid
        assert facility.standard_address is not None
        if facility.kind == FacilityKind.STREETLIGHT:
            street = ancestor_at(facility.grid, AreaLevel.STREET)
            assert street is not None and facility.unit.area_id == street.pk
    before = Appeal.objects.count()
    counts = simulate_feed(alarms=200, seed=2, devices=5)
    opened = Appeal.objects.filter(sensor_case__isnull=False, channel="sensor")
    assert counts["alarms"] == 200 and counts["appeals_opened"] == opened.count() <= 5
    assert Appeal.objects.count() == before + opened.count()
    assert sum(SensorCase.objects.values_list("alarm_count", flat=True)) > 150
    assert all(a.main_unit_id is not None for a in opened)
