"""Intake decides a new appeal in memory and writes it once (appeals.unsaved): the appeal
in its final state, every event in one statement, and nothing at all when it fails."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cityloop.appeals.integrity import check_integrity
from cityloop.appeals.models import Appeal, AppealAssignment, AppealEvent
from cityloop.intake import services
from cityloop.kernel.errors import DomainError
from cityloop.testing import TinyCity


def _inserts(captured: Any, table: str) -> int:
    return sum(
        1 for q in captured.captured_queries if q["sql"].startswith(f'INSERT INTO "{table}"')
    )


def test_a_dispatched_intake_writes_the_appeal_once_and_its_events_in_one_statement(
    city: TinyCity,
) -> None:
    city.receive(street=1)  # fills the per-process caches
    with CaptureQueriesContext(connection) as captured:
        appeal = city.receive(street=0, urgency="normal", assist_unit_codes=[city.water.code])
    assert _inserts(captured, "appeals_appeal") == 1
    assert _inserts(captured, "appeals_appealevent") == 1
    assert not [q for q in captured.captured_queries if q["sql"].startswith('UPDATE "appeals')]
    stored = Appeal.objects.get(pk=appeal.pk)
    events = list(stored.events.order_by("seq"))
    # received, dispatched to the street office, the water company added as co-handler
    assert [e.action for e in events] == ["receive", "dispatch", "add_assist"]
    assert [e.seq for e in events] == list(range(1, stored.version + 1))
    assert stored.status == events[-1].to_status == "dispatched"
    assert stored.main_unit == city.street_offices[0]
    units = set(AppealAssignment.objects.filter(appeal=stored).values_list("unit", "role"))
    assert units == {(city.street_offices[0].pk, "main"), (city.water.pk, "assist")}
    assert check_integrity() == []


def test_a_tracking_code_already_taken_is_drawn_again(
    city: TinyCity, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = city.receive().tracking_code
    draws = iter([taken, taken, "261201ZZZZZZ"])
    monkeypatch.setattr(services, "new_tracking_code", lambda at: next(draws))
    appeal = city.receive()
    assert appeal.tracking_code == "261201ZZZZZZ"
    assert Appeal.objects.filter(tracking_code=taken).count() == 1


def test_no_free_code_refuses_the_intake_and_writes_nothing(
    city: TinyCity, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = city.receive().tracking_code
    before = (Appeal.objects.count(), AppealEvent.objects.count())
    monkeypatch.setattr(services, "new_tracking_code", lambda at: taken)
    with pytest.raises(DomainError) as refused:
        city.receive()
    assert refused.value.code == "tracking_code_exhausted"
    assert (Appeal.objects.count(), AppealEvent.objects.count()) == before
