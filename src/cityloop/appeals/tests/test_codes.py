"""A tracking code starts with its local day of reception; lookups use that day to search
one month's partition on PostgreSQL, and must find every appeal around midnight and month
ends (00:30 local on the 1st is still the previous day in UTC)."""

from __future__ import annotations

import pytest

from cityloop.appeals.codes import by_code
from cityloop.appeals.models import Appeal
from cityloop.appeals.services.core import lock_appeal
from cityloop.kernel import clock
from cityloop.testing import TinyCity, instant


@pytest.mark.parametrize(
    "received",
    ["2026-11-30T23:30:00+08:00", "2026-12-01T00:30:00+08:00", "2027-01-01T00:00:00+08:00"],
)
def test_an_appeal_is_found_by_its_code_at_the_edges_of_a_day_and_a_month(
    city: TinyCity, received: str
) -> None:
    appeal = city.receive(received_at=instant(received))
    assert appeal.tracking_code.startswith(f"{clock.local_date(appeal.received_at):%y%m%d}")
    assert Appeal.objects.get(by_code(appeal.tracking_code)) == appeal
    client = city.client("supervisor")
    assert client.get(f"/api/appeals/{appeal.tracking_code}").status_code == 200
    assert client.get(f"/api/public/track/{appeal.tracking_code}").status_code == 200


def test_a_code_that_is_not_a_date_finds_nothing_and_fails_cleanly(city: TinyCity) -> None:
    city.receive()
    assert not Appeal.objects.filter(by_code("ZZ9999ABCDEF")).exists()
    assert not Appeal.objects.filter(by_code("261399ABCDEF")).exists()  # month 13
    client = city.client("supervisor")
    assert client.get("/api/appeals/261399ABCDEF").status_code == 404


def test_the_write_path_locks_by_code(city: TinyCity) -> None:
    from django.db import transaction

    appeal = city.receive(received_at=instant("2026-12-01T00:30:00+08:00"))
    with transaction.atomic():
        assert lock_appeal(appeal.tracking_code).pk == appeal.pk
