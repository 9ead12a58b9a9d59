"""巡查上报's write path: both ways in go through intake and the stages' services, every step
is in the transition table and recorded, and bad input leaves nothing behind."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cityloop.access.actors import Actor
from cityloop.appeals.enums import Channel, Outcome, Status
from cityloop.appeals.models import Appeal, AppealEvent
from cityloop.appeals.transitions import TRANSITIONS
from cityloop.intake.patrol.models import LocationSource, PatrolReport, PhotoStage
from cityloop.intake.patrol.services import PatrolDraft, assign_grid, report_problem
from cityloop.intake.patrol.tests.conftest import (
    IN_MY_GRID,
    IN_OTHER_STREET,
    add_grid_worker,
    photo,
)
from cityloop.kernel import clock
from cityloop.kernel.errors import DomainError, NotFound, PermissionDenied
from cityloop.testing import recorded_actions

MANHOLE = "小区北门人行道井盖松动，踩上去晃动"
FIXED = "已将松动的井盖复位并用螺栓固定，现场已恢复通行安全"


def draft(*, on_spot: bool, where: tuple[float, float] = IN_MY_GRID, **fields: Any) -> PatrolDraft:
    values: dict[str, Any] = {
        "text": MANHOLE,
        "lat": where[0],
        "lng": where[1],
        "handled_on_spot": on_spot,
        "accuracy_m": 8.0,
        "before": [photo("处置前.png")],
    }
    if on_spot:
        values.update(action_taken=FIXED, after=[photo("处置后.png")])
    return PatrolDraft(**{**values, **fields})


def test_on_spot_is_received_dispatched_signed_replied_and_closed(city, worker):
    report = report_problem(draft(on_spot=True), actor=worker)

    appeal = Appeal.objects.get(pk=report.appeal_id)
    assert appeal.channel == Channel.GRID_PATROL
    assert appeal.status == Status.CLOSED and appeal.outcome == Outcome.REPLIED
    assert appeal.main_unit == city.street_offices[0]
    assert appeal.grid == city.grids[0]
    assert appeal.signed_at and appeal.replied_at and appeal.closed_at
    assert appeal.reply_text == FIXED
    assert appeal.created_by == worker.user
    # what the machine understood of the words at intake is recorded too; the rest are the loop
    understood = ("classify", "locate", "flag_urgent")
    steps = [a for a in recorded_actions(appeal) if a not in understood]
    assert steps == ["receive", "attach", "dispatch", "sign_for", "attach", "reply", "close"]
    # each step is one the transition table allows (the services checked; this says which)
    assert all(step in TRANSITIONS for step in steps)
    events = {e.action: e for e in AppealEvent.objects.filter(appeal=appeal)}
    for step in ("receive", "dispatch", "sign_for", "reply"):
        assert events[step].actor == worker.user, step
    assert events["sign_for"].actor_unit == city.street_offices[0]
    assert events["close"].actor is None  # the system: no caller to call back
    assert "自行处置" in events["dispatch"].reason
    stages = sorted(report.photos.values_list("stage", flat=True))
    assert stages == [PhotoStage.AFTER, PhotoStage.BEFORE]
    assert appeal.attachments.count() == 2
    assert report.handled_on_spot and report.worker == worker.user
    assert report.grid == city.grids[0] and report.location_source == LocationSource.DEVICE


def test_on_spot_under_the_confirm_gate_records_why_a_short_account_went_through(
    city, worker, settings
):
    settings.CITYLOOP_REPLY_GATE = "confirm"
    report = report_problem(draft(on_spot=True, action_taken="已修好"), actor=worker)
    reply = AppealEvent.objects.get(appeal=report.appeal, action="reply")
    assert report.appeal.status == Status.CLOSED
    assert "处置前后照片" in reply.changes["weak_reply_confirmed"][1]


def test_on_spot_under_the_block_gate_waits_for_review_not_closed(city, worker, settings):
    settings.CITYLOOP_REPLY_GATE = "block"
    report = report_problem(draft(on_spot=True, action_taken="已修好"), actor=worker)
    report.appeal.refresh_from_db()
    assert report.appeal.status == Status.REPLY_REVIEW
    assert "close" not in recorded_actions(report.appeal)


def test_sent_into_the_loop_is_received_and_dispatched_by_the_rules(city, worker):
    streetlights = city.category("城乡建设", "城市建设和市政管理", "城市公共设施")
    report = report_problem(
        draft(on_spot=False, where=IN_OTHER_STREET, category_code=streetlights.code),
        actor=worker,
    )
    appeal = Appeal.objects.get(pk=report.appeal_id)
    assert appeal.channel == Channel.GRID_PATROL
    assert appeal.status == Status.DISPATCHED
    # the rule "the street of the location": the other street's office, not the worker's
    assert appeal.main_unit == city.street_offices[1]
    assert recorded_actions(appeal)[-2:] == ["dispatch", "attach"]
    assert not report.handled_on_spot and report.photos.get().stage == PhotoStage.BEFORE
    assert report.category == streetlights


def _nothing_written() -> bool:
    return not Appeal.objects.exists() and not PatrolReport.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"text": "  "}, "text"),
        ({"text": "问" * 2001}, "text"),
        ({"lat": None, "lng": None}, "location"),
        ({"lat": float("nan")}, "location"),
        ({"lat": 10.0, "lng": 10.0}, "location"),
        ({"location_source": "satellite"}, "location"),
        ({"before": []}, "before"),
        ({"action_taken": " "}, "action_taken"),
        ({"after": []}, "after"),
        ({"found_at": "future"}, "found_at"),
        ({"found_at": "long_ago"}, "found_at"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_nothing_written(city, worker, change, field):
    if change.get("found_at") == "future":
        change = {"found_at": clock.now() + timedelta(hours=1)}
    elif change.get("found_at") == "long_ago":
        change = {"found_at": clock.now() - timedelta(days=8)}
    with pytest.raises(DomainError) as refused:
        report_problem(draft(on_spot=True, **change), actor=worker)
    assert refused.value.params.get("field") == field
    assert _nothing_written()


def test_a_file_that_is_not_a_photo_is_refused(city, worker):
    fake = SimpleUploadedFile("照片.png", b"<html>not a picture</html>", "image/png")
    with pytest.raises(DomainError) as refused:
        report_problem(draft(on_spot=False, before=[fake]), actor=worker)
    assert refused.value.code == "invalid_attachment"
    assert _nothing_written()


def test_after_photos_only_with_on_spot_handling(city, worker):
    with pytest.raises(DomainError) as refused:
        report_problem(draft(on_spot=False, after=[photo()]), actor=worker)
    assert refused.value.params["field"] == "after"


def test_on_spot_only_within_the_workers_street(city, worker):
    with pytest.raises(DomainError) as refused:
        report_problem(draft(on_spot=True, where=IN_OTHER_STREET), actor=worker)
    assert refused.value.params["field"] == "handled_on_spot"
    assert "上报派单" in str(refused.value.message)
    assert _nothing_written()


def test_a_failing_step_leaves_nothing_half_done(city, worker, monkeypatch):
    """The on-spot steps are one transaction: a refusal at the last step undoes the rest."""
    from cityloop.intake.patrol import services

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise DomainError("illegal_transition", "refused")

    monkeypatch.setattr(services, "close", refuse)
    with pytest.raises(DomainError):
        report_problem(draft(on_spot=True), actor=worker)
    assert _nothing_written()


def test_only_a_grid_worker_with_a_grid_reports(city):
    with pytest.raises(PermissionDenied):
        report_problem(draft(on_spot=False), actor=city.actor("handler1"))
    add_grid_worker(city, "newcomer")
    with pytest.raises(PermissionDenied) as refused:
        report_problem(draft(on_spot=False), actor=city.actor("newcomer"))
    assert refused.value.code == "no_grid"
    assert _nothing_written()


def test_assign_grid_keeps_the_grid_inside_the_workers_street(city):
    add_grid_worker(city)
    with pytest.raises(DomainError) as refused:
        assign_grid("gridworker", city.grids[1].code, actor=Actor.system())
    assert refused.value.params["field"] == "grid"
    with pytest.raises(DomainError):
        assign_grid("handler1", city.grids[0].code, actor=Actor.system())
    with pytest.raises(NotFound):
        assign_grid("gridworker", "nowhere", actor=Actor.system())
    with pytest.raises(PermissionDenied):
        assign_grid("gridworker", city.grids[0].code, actor=city.actor("supervisor"))
    first = assign_grid("gridworker", city.grids[0].code, actor=Actor.system())
    again = assign_grid("gridworker", city.grids[0].code, actor=Actor.system())
    assert first.pk == again.pk and again.grid == city.grids[0]
