"""The second stage at intake: unsure appeals are sent on to a background job, sure ones
are not; the job records its opinion once however often it runs; it only ever suggests.

The embedder here is a fake (keywords to fixed vectors): the real encoder is exercised in
classify/tests/test_secondstage.py and benchmarks/classify_second_stage.py."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from cityloop.appeals.models import Appeal
from cityloop.classify.embeddings import DIMENSIONS
from cityloop.classify.models import Stage, Suggestion, UnderstandingSettings
from cityloop.classify.second_opinion import margin_of, register_second_stage
from cityloop.classify.secondstage import RoutedScore, SecondStage, fit_embedding_lr
from cityloop.classify.services import suggest_category
from cityloop.intake import second_stage
from cityloop.intake.selectors import second_opinions
from cityloop.intake.tests.test_understanding import (
    CORPUS,
    HEATING,
    NOISE,
    WAGES,
    train_small_model,
)
from cityloop.taxonomy.services import PATH_SEPARATOR
from cityloop.testing import post_json

# the first keyword found decides the vector: this "e5" hears wages before anything else
KEYWORDS = [("工资", 2), ("噪音", 0), ("音响", 0), ("施工", 0), ("暖气", 1), ("供暖", 1)]
SURE = "家里暖气不热，室温只有十四度"  # the small fast model: 1.00 heating
UNSURE = "暖气不热噪音太大工资拖欠"  # 0.84 noise, 0.16 heating


class KeywordEmbedder:
    name = "keywords"

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts):
        self.calls += 1
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for i, text in enumerate(texts):
            dim = next((d for word, d in KEYWORDS if word in text), 3)
            out[i, dim] = 1
        return out


def install_second_stage(weight: float = 1.0) -> SecondStage:
    """A fast model on the small corpus, and a second stage whose threshold lies between
    the fast model's margins on the unsure and on the sure text. The machine classifies by
    itself from 0.9: the unsure appeal waits for a person."""
    UnderstandingSettings.objects.update_or_create(
        pk=UnderstandingSettings.current().pk,
        defaults={"auto_dispatch_confidence": Decimal("0.90")},
    )
    train_small_model()
    texts = [t for sentences in CORPUS.values() for t in sentences]
    labels = [PATH_SEPARATOR.join(path) for path, s in CORPUS.items() for _ in s]
    lr = fit_embedding_lr(KeywordEmbedder().embed(texts), labels)
    sure, unsure = (
        margin_of([r.confidence for r in suggest_category(t).ranked]) for t in (SURE, UNSURE)
    )
    assert unsure < sure, "the test texts must differ in how sure the fast model is"
    stage = SecondStage.from_lr(
        lr, weight=weight, threshold=(sure + unsure) / 2, encoder="keywords", share=0.2
    )
    register_second_stage(
        stage, RoutedScore(0.9, 0.8, 0.9, 0.91, 0.2), labels=labels, trained_on="test", folds=5
    )
    return stage


@pytest.fixture
def enqueued(monkeypatch):
    sent: list[int] = []
    monkeypatch.setattr(second_stage, "_enqueue", sent.append)
    return sent


def receive(city, text: str, **extra) -> Appeal:
    created = post_json(city.client("calltaker"), "/api/appeals", {"content": text, **extra})
    assert created.status_code in (200, 201), created.content
    return Appeal.objects.get(tracking_code=created.json()["tracking_code"])


def test_unsure_appeals_are_sent_on_after_commit_and_sure_ones_are_not(
    city, enqueued, django_capture_on_commit_callbacks
):
    install_second_stage()
    with django_capture_on_commit_callbacks(execute=True):
        unsure = receive(city, UNSURE)
    with django_capture_on_commit_callbacks(execute=True):
        receive(city, SURE)
    assert enqueued == [unsure.pk]


def test_without_a_second_stage_nothing_is_sent_on(
    city, enqueued, django_capture_on_commit_callbacks
):
    train_small_model()
    with django_capture_on_commit_callbacks(execute=True):
        receive(city, UNSURE)
    assert enqueued == []


def test_the_job_records_the_opinion_once_and_changes_nothing_else(city, enqueued):
    install_second_stage(weight=1.0)
    appeal = receive(city, UNSURE)
    before = (appeal.category_id, appeal.status, appeal.main_unit_id, appeal.events.count())
    embedder = KeywordEmbedder()
    assert second_stage.run(appeal.pk, embedder=embedder) == "recorded"
    assert second_stage.run(appeal.pk, embedder=embedder) == "already recorded"
    assert embedder.calls == 1  # the second run did not even embed
    opinion = Suggestion.objects.get(appeal=appeal, stage=Stage.SECOND)
    fast = Suggestion.objects.get(appeal=appeal, stage=Stage.FAST)
    assert fast.ranked[0]["path"] == PATH_SEPARATOR.join(NOISE)
    assert opinion.ranked[0]["path"] == PATH_SEPARATOR.join(WAGES)  # weight 1: e5's answer
    assert not opinion.auto_applied
    appeal.refresh_from_db()
    assert (appeal.category_id, appeal.status, appeal.main_unit_id) == before[:3]
    assert appeal.events.count() == before[3]
    shown = second_opinions([appeal])[appeal.pk]
    assert shown.path == PATH_SEPARATOR.join(WAGES) and not shown.disagrees  # none set yet
    listed = city.client("dispatcher").get(f"/api/appeals/{appeal.tracking_code}/suggestions")
    assert [s["stage"] for s in listed.json()] == ["second", "fast"]
    page = city.client("dispatcher").get("/queue/").content.decode()
    assert "第二阶段建议" in page and "工资发放" in page


def test_a_disagreement_with_the_machines_category_is_shown_not_applied(city, enqueued):
    install_second_stage(weight=1.0)
    appeal = receive(city, SURE, standard_address_code=city.addresses[0].code)
    assert appeal.category.path == PATH_SEPARATOR.join(HEATING)  # applied by the fast model
    unit = appeal.main_unit_id

    class HearsNoise(KeywordEmbedder):
        def embed(self, texts):
            return super().embed(["噪音"] * len(texts))

    assert second_stage.run(appeal.pk, embedder=HearsNoise()) == "recorded"
    appeal.refresh_from_db()
    assert appeal.category.path == PATH_SEPARATOR.join(HEATING) and appeal.main_unit_id == unit
    shown = second_opinions([appeal])[appeal.pk]
    assert shown.disagrees and shown.path == PATH_SEPARATOR.join(NOISE)
    page = city.client("dispatcher").get(f"/appeals/{appeal.tracking_code}/").content.decode()
    assert "与当前分类不同" in page


def test_the_sweep_catches_a_lost_request(city, enqueued, monkeypatch):
    install_second_stage()
    unsure = receive(city, UNSURE)  # its on-commit request never ran (test transaction)
    receive(city, SURE)
    monkeypatch.setattr("cityloop.classify.second_opinion.default_embedder", KeywordEmbedder)
    assert second_stage.sweep() == {"recorded": 1}
    assert Suggestion.objects.filter(stage=Stage.SECOND).get().appeal_id == unsure.pk
    assert second_stage.sweep() == {}
