"""The second opinion on an appeal's category, asked for in the background when the fast
model was unsure at intake, and recorded before a person looks at the appeal.

What it may do to the appeal: nothing but suggest. A 12345 centre does not want a machine
to move an appeal between units behind people's backs — a re-dispatch sends the work to
another unit, restarts its clock and confuses the citizen's follow-up — so the opinion is
stored as a suggestion of stage "second" (model, time, ranked categories with their
probabilities) and shown to the dispatcher and on the appeal page; when it disagrees with
a category the machine set by itself, the page says so and a person decides. Unsure
appeals are not dispatched by the machine anyway (their confidence is below the
auto-dispatch threshold), so they wait in the dispatch queue, where the opinion appears."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction

from cityloop.appeals.models import Appeal
from cityloop.classify.embeddings import Embedder
from cityloop.classify.models import Stage, Suggestion
from cityloop.classify.second_opinion import (
    active_second_stage,
    margin_of,
    needs_second_opinion,
    second_opinion,
)
from cityloop.kernel import clock

logger = logging.getLogger(__name__)
JOB = "cityloop.intake.second_stage.run"
SWEEP_EVERY_MINUTES = 10
SWEEP_LOOKBACK = timedelta(days=2)


def request_if_unsure(appeal: Appeal, confidences: list[float]) -> bool:
    """Within the intake transaction: when the fast model's margin is below the second
    stage's threshold, ask the worker for a second opinion once the appeal is committed.
    If asking fails, the sweep finds the appeal."""
    if not needs_second_opinion(confidences):
        return False
    appeal_id = appeal.pk
    transaction.on_commit(lambda: _enqueue(appeal_id), robust=True)
    return True


def _enqueue(appeal_id: int) -> None:
    from django_q.tasks import async_task

    async_task(JOB, appeal_id, task_name=f"second-opinion-{appeal_id}")


def run(appeal_id: int, *, embedder: Embedder | None = None) -> str:
    """The job: record the second stage's opinion on one appeal. Safe to run twice (and at
    once): one opinion per appeal and second-stage model, by a unique constraint."""
    active = active_second_stage()
    if active is None:
        return "no second stage in use"
    record, _stage = active
    appeal = Appeal.objects.filter(pk=appeal_id).first()
    if appeal is None:
        return "no such appeal"
    if Suggestion.objects.filter(appeal=appeal, model=record, stage=Stage.SECOND).exists():
        return "already recorded"
    fast = (
        Suggestion.objects.filter(appeal=appeal, stage=Stage.FAST)
        .select_related("model")
        .order_by("-created_at")
        .first()
    )
    if fast is None:
        return "no fast suggestion"
    # the slow part, outside any transaction: no row is locked while the encoder runs
    opinion = second_opinion(_text_of(appeal), fast.model, embedder=embedder)
    if opinion is None:
        return "no second stage in use"
    try:
        with transaction.atomic():
            Suggestion.objects.create(
                appeal=appeal,
                model=opinion.model,
                created_at=clock.now(),
                ranked=[
                    {"code": r.code, "path": r.path, "confidence": r.confidence}
                    for r in opinion.ranked
                ],
                confidence=opinion.top.confidence,
                auto_applied=False,
                stage=Stage.SECOND,
            )
    except IntegrityError:  # another run recorded it in the meantime
        return "already recorded"
    return "recorded"


def _text_of(appeal: Appeal) -> str:
    """Title and content, as the labelled messages are; a title cut from the content by
    intake is not read twice."""
    title, content = appeal.title.strip(), appeal.content.strip()
    return content if content.startswith(title) else f"{title}{content}"


def sweep() -> dict[str, int]:
    """Every few minutes: the recent unsure appeals still without a second opinion (a lost
    request, a worker that was down), oldest first."""
    active = active_second_stage()
    if active is None:
        return {"recorded": 0}
    record, stage = active
    since = clock.now() - SWEEP_LOOKBACK
    done = Suggestion.objects.filter(model=record, stage=Stage.SECOND).values("appeal_id")
    candidates = (
        Suggestion.objects.filter(stage=Stage.FAST, created_at__gte=since, appeal__category=None)
        .exclude(appeal_id__in=done)
        .order_by("created_at")
        .values_list("appeal_id", "ranked")
    )
    counts: dict[str, int] = {}
    for appeal_id, ranked in candidates.iterator():
        confidences = [float(r["confidence"]) for r in ranked]
        if not stage.is_unsure(margin_of(confidences)):
            continue
        outcome = run(appeal_id)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def ensure_schedules() -> None:
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name="cityloop-second-opinion-sweep",
        defaults={
            "func": "cityloop.intake.second_stage.sweep",
            "schedule_type": Schedule.MINUTES,
            "minutes": SWEEP_EVERY_MINUTES,
            "repeats": -1,
        },
    )
