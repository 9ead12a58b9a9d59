"""What a grid worker reads on their phone: their grid's open appeals and their own reports.

A grid worker sees the appeals placed in their own grid, whoever handles them, and only in
their public version (personal data masked, appeals.public_text): they walk the street, they
do not handle other people's calls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cityloop.access.actors import Actor
from cityloop.appeals.enums import OPEN_STATUSES, Channel
from cityloop.appeals.models import Appeal
from cityloop.intake.patrol.models import PatrolAssignment, PatrolReport, PhotoStage
from cityloop.intake.patrol.services import assignment_of

LIST_LIMIT = 50


@dataclass(frozen=True)
class GridAppeal:
    tracking_code: str
    title: str
    address: str
    status: str
    category: str
    unit: str
    received_at: datetime
    reply_due_at: datetime | None
    from_patrol: bool


def my_grid(actor: Actor) -> PatrolAssignment:
    return assignment_of(actor)


def grid_open_appeals(actor: Actor, limit: int = LIST_LIMIT) -> tuple[list[GridAppeal], int]:
    """The open appeals placed in the worker's grid, the oldest first (the most overdue on
    top), at most `limit`, and how many there are in all."""
    grid = assignment_of(actor).grid
    appeals = Appeal.objects.filter(grid=grid, status__in=OPEN_STATUSES)
    rows = appeals.select_related("category", "main_unit").order_by("received_at", "pk")[:limit]
    listed = [
        GridAppeal(
            tracking_code=a.tracking_code,
            title=a.public_title,
            address=a.public_address,
            status=a.get_status_display(),
            category=a.category.name if a.category else "",
            unit=a.main_unit.name if a.main_unit else "",
            received_at=a.received_at,
            reply_due_at=a.reply_due_at,
            from_patrol=a.channel == Channel.GRID_PATROL,
        )
        for a in rows
    ]
    return listed, appeals.count()


@dataclass(frozen=True)
class PatrolEntry:
    tracking_code: str
    text: str
    found_at: datetime
    handled_on_spot: bool
    action_taken: str
    status: str
    is_open: bool
    unit: str
    before_photos: int
    after_photos: int


def patrol_history(actor: Actor, limit: int = LIST_LIMIT) -> list[PatrolEntry]:
    """The worker's own reports, the newest first, with where each appeal stands now."""
    assignment_of(actor)
    reports = (
        PatrolReport.objects.filter(worker=actor.user)
        .select_related("appeal__main_unit")
        .prefetch_related("photos")[:limit]
    )
    entries = []
    for report in reports:
        stages = [photo.stage for photo in report.photos.all()]
        appeal = report.appeal
        entries.append(
            PatrolEntry(
                tracking_code=appeal.tracking_code,
                text=appeal.public_content,
                found_at=report.found_at,
                handled_on_spot=report.handled_on_spot,
                action_taken=appeal.public_reply if report.handled_on_spot else "",
                status=appeal.get_status_display(),
                is_open=appeal.status in OPEN_STATUSES,
                unit=appeal.main_unit.name if appeal.main_unit else "",
                before_photos=stages.count(PhotoStage.BEFORE),
                after_photos=stages.count(PhotoStage.AFTER),
            )
        )
    return entries
