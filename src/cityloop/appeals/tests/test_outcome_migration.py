"""Appeals closed before `outcome` existed get it from their recorded history."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("appeals", "0007_stage_records_move_out")]


def test_migration_fills_outcome_of_closed_appeals_from_their_events(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Appeal = old.get_model("appeals", "Appeal")
    Event = old.get_model("appeals", "AppealEvent")

    def closed(code: str, steps: list[tuple[str, dict]], status: str = "closed") -> int:
        appeal = Appeal.objects.create(
            tracking_code=code,
            channel="phone",
            title="t",
            content="c",
            status=status,
            received_at=timezone.now(),
        )
        for seq, (action, changes) in enumerate(steps, start=1):
            Event.objects.create(
                appeal=appeal,
                seq=seq,
                action=action,
                at=timezone.now(),
                actor_name="x",
                changes=changes,
            )
        return appeal.pk

    rated = {"resolved": [None, True]}
    unrated = {"resolved": [None, False]}
    resolved = closed("A1", [("receive", {}), ("reply", {}), ("evaluate", rated), ("close", {})])
    unresolved = closed("A2", [("reply", {}), ("evaluate", unrated), ("close", {})])
    # rated unresolved, reopened, replied again and closed without a new rating
    again = closed("A3", [("evaluate", unrated), ("reopen", {}), ("reply", {}), ("close", {})])
    open_one = closed("A4", [("reply", {})], status="replied")

    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(latest)
    new = executor.loader.project_state(latest).apps.get_model("appeals", "Appeal")
    outcome = dict(new.objects.values_list("pk", "outcome"))
    assert outcome[resolved] == "resolved"
    assert outcome[unresolved] == "unresolved"
    assert outcome[again] == "replied"
    assert outcome[open_one] == ""
    assert set(new.objects.values_list("appeal_type", flat=True)) == {"help"}
