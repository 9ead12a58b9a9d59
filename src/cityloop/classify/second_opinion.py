"""The second stage in the product: which appeals it is for, its opinion on one text, and
registering a trained second stage. No appeal is read or written here (this package sits
below the appeals); intake/second_stage.py records the opinion on the appeal.

It never runs in the request path: intake only compares two stored numbers (the fast
model's margin and the threshold), and the embedding runs in a background job."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import transaction

from cityloop.classify.embeddings import E5Embedder, Embedder
from cityloop.classify.models import ClassifierModel, Stage
from cityloop.classify.secondstage import (
    IncompatibleSecondStage,
    RoutedScore,
    SecondStage,
    as_metrics,
    margins,
)
from cityloop.classify.services import Ranked, _classifier, _new_name, label_codes
from cityloop.kernel import clock
from cityloop.kernel.cache import config_cache
from cityloop.taxonomy.models import Category

logger = logging.getLogger(__name__)
_loaded: dict[tuple[int, str], SecondStage] = {}
_embedder_lock = threading.Lock()
_embedder: Embedder | None = None


@config_cache
def _active_second_record() -> ClassifierModel | None:
    return (
        ClassifierModel.objects.filter(is_active=True, stage=Stage.SECOND).defer("payload").first()
    )


def active_second_stage() -> tuple[ClassifierModel, SecondStage] | None:
    """The second stage in use, or None (none trained, or made by another version)."""
    record = _active_second_record()
    if record is None:
        return None
    key = (record.pk, record.name)
    if key not in _loaded:
        payload = ClassifierModel.objects.values_list("payload", flat=True).get(pk=record.pk)
        try:
            stage = SecondStage.from_bytes(bytes(payload))
        except IncompatibleSecondStage as error:
            logger.warning("second stage %s is not usable (%s): retrain it", record.name, error)
            return None
        _loaded.clear()
        _loaded[key] = stage
    return record, _loaded[key]


def margin_of(confidences: Sequence[float]) -> float:
    """The fast model's margin from its ranked confidences (best first)."""
    return float(margins(np.array([[*confidences, 0.0, 0.0]]))[0])


def needs_second_opinion(confidences: Sequence[float]) -> bool:
    """True when a second stage is in use and the fast model's margin is below its
    threshold. Costs one indexed query (the loaded stage is kept per process)."""
    active = active_second_stage()
    return active is not None and active[1].is_unsure(margin_of(confidences))


def default_embedder() -> Embedder:
    global _embedder
    with _embedder_lock:
        if _embedder is None:
            _embedder = E5Embedder()
        return _embedder


@dataclass(frozen=True)
class SecondOpinion:
    model: ClassifierModel
    ranked: list[Ranked]
    fast_margin: float

    @property
    def top(self) -> Ranked:
        return self.ranked[0]


def second_opinion(
    text: str,
    fast_model: ClassifierModel,
    *,
    embedder: Embedder | None = None,
    k: int = 3,
) -> SecondOpinion | None:
    """The blend's best categories for a text, or None when no second stage is in use.
    Slow (one embedding): for background jobs only."""
    active = active_second_stage()
    if active is None:
        return None
    record, stage = active
    fast = _classifier(fast_model)
    fast_probabilities = fast.predict_proba([text])
    embedding = (embedder or default_embedder()).embed([text])
    blended = stage.blended(fast_probabilities, fast.classes_, embedding)[0]
    paths = dict(
        Category.objects.filter(code__in=record.label_codes.values()).values_list("code", "path")
    )
    ranked = []
    for i in np.argsort(-blended)[:k]:
        label = stage.classes[i]
        code = record.label_codes.get(label, "")
        ranked.append(Ranked(label, code, paths.get(code, label), round(float(blended[i]), 4)))
    return SecondOpinion(record, ranked, float(margins(fast_probabilities)[0]))


def register_second_stage(
    stage: SecondStage, score: RoutedScore, *, labels: Sequence[str], trained_on: str, folds: int
) -> ClassifierModel:
    """Store a trained second stage and put it in use (the one before it is kept)."""
    metrics: dict[str, Any] = {
        **as_metrics(score, folds),
        "weight": stage.weight,
        "margin_threshold": stage.margin_threshold,
        "share_chosen": stage.share,
        "encoder": stage.encoder,
    }
    with transaction.atomic():
        ClassifierModel.objects.filter(is_active=True, stage=Stage.SECOND).update(is_active=False)
        return ClassifierModel.objects.create(
            name=_new_name("second"),
            created_at=clock.now(),
            method=stage.describe()[:200],
            trained_on=trained_on[:300],
            n_train=len(labels),
            label_codes=label_codes(labels),
            metrics=metrics,
            payload=stage.to_bytes(),
            is_active=True,
            stage=Stage.SECOND,
        )
