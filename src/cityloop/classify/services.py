"""Using, training and comparing category models inside the product."""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cityloop.classify.metrics import Report, evaluate
from cityloop.classify.models import ClassifierModel, Correction, Stage, UnderstandingSettings
from cityloop.classify.textmodel import IncompatibleModel, TextClassifier
from cityloop.kernel import clock
from cityloop.kernel.cache import config_cache, forget_on_change
from cityloop.taxonomy.models import Category, category_paths

# Keyed by more than the row id: a rolled-back transaction hands the same id to the next
# model trained, which must not be mistaken for the one this process loaded before.
ModelKey = tuple[int, str, datetime]
_loaded: dict[ModelKey, TextClassifier] = {}
_unusable: set[ModelKey] = set()
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ranked:
    label: str
    code: str
    path: str
    confidence: float


@dataclass(frozen=True)
class CategorySuggestion:
    model: ClassifierModel
    ranked: list[Ranked]

    @property
    def top(self) -> Ranked:
        return self.ranked[0]

    def confident(self) -> bool:
        threshold = float(understanding_settings().auto_dispatch_confidence)
        return bool(self.top.code) and self.top.confidence >= threshold

    def levels(self) -> list[tuple[Ranked, Confidence]]:
        """Each proposal with how far a person may trust it (see confidence_level)."""
        threshold = float(understanding_settings().auto_dispatch_confidence)
        return [(r, confidence_level(r.confidence, threshold)) for r in self.ranked]


@dataclass(frozen=True)
class Confidence:
    level: str  # high, medium, low
    label: str
    percent: int


def confidence_level(confidence: float, threshold: float) -> Confidence:
    """高 at or above the auto-dispatch threshold (the machine would act alone), 中 from half
    of it (worth a look), 低 below (choose by hand)."""
    percent = round(confidence * 100)
    if confidence >= threshold:
        return Confidence("high", _("高"), percent)
    if confidence >= threshold / 2:
        return Confidence("medium", _("中"), percent)
    return Confidence("low", _("低"), percent)


@config_cache
def understanding_settings() -> UnderstandingSettings:
    """The understanding thresholds (read on every intake: cached per process)."""
    return UnderstandingSettings.current()


@config_cache
def active_model() -> ClassifierModel | None:
    return ClassifierModel.objects.filter(is_active=True, stage=Stage.FAST).defer("payload").first()


def _key(record: ClassifierModel) -> ModelKey:
    return (record.pk, record.name, record.created_at)


def _classifier(record: ClassifierModel) -> TextClassifier:
    key = _key(record)
    if key not in _loaded:
        payload = ClassifierModel.objects.values_list("payload", flat=True).get(pk=record.pk)
        _loaded.clear()  # one model in memory per process
        _loaded[key] = TextClassifier.from_bytes(bytes(payload))
    return _loaded[key]


def usable_model() -> ClassifierModel | None:
    """The model in use if this code can load it. One made by an older model format is
    reported once and ignored: appeals then wait for a person until a retrain."""
    record = active_model()
    if record is None:
        return None
    try:
        _classifier(record)
    except IncompatibleModel as error:
        if _key(record) not in _unusable:
            _unusable.add(_key(record))
            logger.warning("category model %s is not usable (%s): retrain it", record.name, error)
        return None
    return record


def suggest_category(text: str, k: int = 3) -> CategorySuggestion | None:
    """The active model's best categories for a text, or None when no usable model exists."""
    record = usable_model()
    if record is None:
        return None
    paths = category_paths()
    ranked = []
    for label, confidence in _classifier(record).top_k(text, k):
        code = record.label_codes.get(label, "")
        ranked.append(Ranked(label, code, paths.get(code, label), round(float(confidence), 4)))
    return CategorySuggestion(record, ranked)


def label_codes(labels: Sequence[str]) -> dict[str, str]:
    """Map model labels to categories: a full path, or a category name (first level first)."""
    codes = {}
    for label in set(labels):
        found = (
            Category.objects.filter(path=label).first()
            or Category.objects.filter(name=label).order_by("level", "code").first()
        )
        codes[label] = found.code if found else ""
    return codes


def corrections_dataset() -> tuple[list[str], list[str]]:
    paths = dict(Category.objects.values_list("code", "path"))
    rows = Correction.objects.values_list("text", "corrected_code")
    return [text for text, _ in rows], [paths[code] for _, code in rows if code in paths]


def _new_name(prefix: str = "category") -> str:
    """category-YYYYMMDD-HHMMSS, with a counter when two models are trained in one second."""
    base = f"{prefix}-{clock.local_now():%Y%m%d-%H%M%S}"
    taken = set(
        ClassifierModel.objects.filter(name__startswith=base).values_list("name", flat=True)
    )
    name, counter = base, 1
    while name in taken:
        counter += 1
        name = f"{base}-{counter}"
    return name


@dataclass
class TrainingOutcome:
    record: ClassifierModel
    new_holdout: Report
    old_holdout: Report | None
    activated: bool


def _split(
    texts: Sequence[str], labels: Sequence[str], share: float, seed: int
) -> tuple[list[int], list[int]]:
    """Stratified split: the same share of every class goes to the held-out part."""
    rng = random.Random(seed)
    by_label: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        by_label.setdefault(label, []).append(index)
    train, held = [], []
    for indices in by_label.values():
        rng.shuffle(indices)
        cut = round(len(indices) * share) if len(indices) >= 5 else 0
        held += indices[:cut]
        train += indices[cut:]
    return sorted(train), sorted(held)


def train_and_register(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    unlabeled: Sequence[str] = (),
    trained_on: str,
    holdout: float = 0.2,
    seed: int = 7,
    force: bool = False,
    progress: Any = print,
) -> TrainingOutcome:
    """Train on (1 − holdout), compare with the model in use on the held-out part, and put
    the new model in use only when it is at least as good (or `force`). The model put in use
    is then refitted on all the data."""
    train_idx, held_idx = _split(texts, labels, holdout, seed)
    pick = lambda idx, seq: [seq[i] for i in idx]  # noqa: E731
    held_texts, held_labels = pick(held_idx, texts), pick(held_idx, labels)
    # Self-training on unlabelled texts helps on some data and hurts on other (it hurt on the
    # real messages in cross-validation), so it is kept only when it wins on the held-out part.
    variants = [False, True] if unlabeled else [False]
    scored = []
    for self_training in variants:
        progress(
            f"training on {len(train_idx)} texts"
            + (f" + {len(unlabeled)} unlabelled (self-training)…" if self_training else "…")
        )
        model = TextClassifier(self_training=self_training).fit(
            pick(train_idx, texts),
            pick(train_idx, labels),
            list(unlabeled) if self_training else None,
        )
        scored.append((evaluate(held_labels, model.predict(held_texts)), self_training))
    new_report, use_unlabeled = max(scored, key=lambda pair: (pair[0].macro_f1, not pair[1]))
    current = usable_model()
    old_report = None
    if current is not None:
        old_predictions = _classifier(current).predict(held_texts)
        old_report = evaluate(held_labels, old_predictions)
    better = old_report is None or new_report.macro_f1 >= old_report.macro_f1
    activate = force or better
    progress("refitting on all labelled texts…")
    candidate = TextClassifier(self_training=use_unlabeled).fit(
        list(texts), list(labels), list(unlabeled) if use_unlabeled else None
    )
    description = candidate.describe()
    with transaction.atomic():
        if activate:
            ClassifierModel.objects.filter(is_active=True, stage=Stage.FAST).update(is_active=False)
        record = ClassifierModel.objects.create(
            name=_new_name(),
            created_at=clock.now(),
            method=str(description.get("method", ""))[:200],
            trained_on=trained_on[:300],
            n_train=len(texts),
            n_unlabeled=len(unlabeled),
            label_codes=label_codes(labels),
            metrics={
                "holdout_macro_f1": new_report.macro_f1,
                "holdout_accuracy": new_report.accuracy,
                "holdout_size": len(held_idx),
                "holdout_macro_f1_by_self_training": {
                    str(flag): report.macro_f1 for report, flag in scored
                },
                "self_training": use_unlabeled,
                "previous_model": current.name if current else None,
                "previous_holdout_macro_f1": old_report.macro_f1 if old_report else None,
                "describe": {k: str(v) for k, v in description.items()},
            },
            payload=candidate.to_bytes(),
            is_active=activate,
        )
    return TrainingOutcome(record, new_report, old_report, activate)


def evaluate_model(
    texts: Sequence[str], labels: Sequence[str], name: str | None = None
) -> tuple[ClassifierModel, Report]:
    record = ClassifierModel.objects.get(name=name) if name else active_model()
    if record is None:
        raise ClassifierModel.DoesNotExist("no model is trained yet: run `cityloop classify train`")
    return record, evaluate(list(labels), _classifier(record).predict(list(texts)))


def record_correction(appeal: Any, *, corrected_code: str, user: Any) -> Correction | None:
    """Called by the write path when staff set a category: kept when it differs from the
    model's first choice for this appeal."""
    latest = appeal.suggestions.filter(stage=Stage.FAST).order_by("-created_at").first()
    if latest is None or not latest.ranked or latest.ranked[0]["code"] == corrected_code:
        return None
    return Correction.objects.create(
        appeal=appeal,
        text=f"{appeal.title}{appeal.content}",
        suggested_code=latest.ranked[0]["code"],
        corrected_code=corrected_code,
        corrected_by=user,
        corrected_at=clock.now(),
        model_name=latest.model.name,
    )


forget_on_change(ClassifierModel, UnderstandingSettings)
