"""The second stage of category understanding: for the appeals the fast model is unsure
about, an e5 sentence embedding + logistic regression, blended with the fast model.

Why this shape: the fast model (char n-grams, textmodel.py) is right most of the time and
costs well under a millisecond; e5 alone is weaker (macro-F1 ~0.84 against ~0.90) but errs
differently, so its probabilities mixed into the fast model's fix some of the fast model's
close calls. Embedding costs about half a second per appeal on two cores, so it runs only
where the fast model hesitates: the margin between its two best classes is small.

Everything the rule needs lives here: the margin, the routing threshold, the blend, and how
the weight and threshold are chosen from out-of-fold predictions. The blend is linear in
probability, `(1 − w)·fast + w·e5`, which a person can check by hand.
"""

from __future__ import annotations

import io
import pickle
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from cityloop.classify.metrics import evaluate
from cityloop.classify.textmodel import IncompatibleModel, TextClassifier

SECOND_STAGE_FORMAT = 1
WEIGHTS = np.round(np.arange(0, 1.0001, 0.05), 2)
DEFAULT_SHARE = 0.2  # of appeals sent on to the second stage, unless told otherwise
# Standardised embeddings and a strong penalty: alone this LR is a little weaker than an
# unpenalised one (macro-F1 ~0.83 against 0.84 in 5-fold CV), but its softer probabilities
# blend far better (routed 0.905 against 0.897, below the fast model's 0.901).
LR_C = 0.3


def margins(probabilities: np.ndarray) -> np.ndarray:
    """Best minus second-best probability, per row: how sure the fast model is."""
    if probabilities.shape[1] < 2:
        return np.ones(len(probabilities))
    top_two = -np.sort(-probabilities, axis=1)[:, :2]
    return np.asarray(top_two[:, 0] - top_two[:, 1])


def blend(fast: np.ndarray, second: np.ndarray, weight: float) -> np.ndarray:
    """(1 − weight) × fast + weight × second, both over the same classes in the same order."""
    return np.asarray((1 - weight) * fast + weight * second)


def threshold_for_share(fast_margins: np.ndarray, share: float) -> float:
    """The margin below which `share` of the appeals fall (those are sent on)."""
    if share <= 0:
        return 0.0
    if share >= 1:
        return float("inf")
    return float(np.quantile(fast_margins, share))


def routed(
    fast: np.ndarray, second: np.ndarray, weight: float, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """(the class index each appeal ends with, which appeals went to the second stage)."""
    sent = margins(fast) < threshold
    final = fast.argmax(axis=1)
    if sent.any():
        final[sent] = blend(fast[sent], second[sent], weight).argmax(axis=1)
    return final, sent


def choose_weight(
    fast: np.ndarray, second: np.ndarray, truth: np.ndarray, threshold: float
) -> tuple[float, float]:
    """The blend weight with the best macro-F1 of the routed predictions, and that F1.
    Ties go to the smaller weight (the fast model is the one everybody already knows)."""
    best_weight, best_f1 = 0.0, -1.0
    labels = [str(v) for v in truth]
    for weight in WEIGHTS:
        final, _sent = routed(fast, second, float(weight), threshold)
        f1 = evaluate(labels, [str(v) for v in final]).macro_f1
        if f1 > best_f1 + 1e-9:
            best_weight, best_f1 = float(weight), f1
    return best_weight, best_f1


def fit_embedding_lr(embeddings: np.ndarray, labels: Sequence[str], c: float = LR_C) -> Pipeline:
    """Logistic regression on standardised embeddings."""
    pipeline = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=3000))
    return pipeline.fit(embeddings, list(labels))


def aligned(probabilities: np.ndarray, have: Sequence[str], want: Sequence[str]) -> np.ndarray:
    """Columns reordered from the classes `have` to the classes `want` (absent ones: 0)."""
    index = {label: i for i, label in enumerate(have)}
    out = np.zeros((len(probabilities), len(want)))
    for j, label in enumerate(want):
        if label in index:
            out[:, j] = probabilities[:, index[label]]
    return out


@dataclass
class OutOfFold:
    """Each labelled text scored by the fast model and by e5 + LR trained without it."""

    classes: list[str]
    truth: np.ndarray  # class index per text
    fast: np.ndarray
    second: np.ndarray
    fold: np.ndarray  # the fold each text was scored in


def out_of_fold(
    texts: Sequence[str],
    labels: Sequence[str],
    embeddings: np.ndarray,
    *,
    folds: int = 5,
    seed: int = 0,
    make_fast: Callable[[], TextClassifier] = lambda: TextClassifier(self_training=False),
    progress: Callable[[str], None] | None = None,
) -> OutOfFold:
    classes = sorted(set(labels))
    y = np.array([classes.index(label) for label in labels])
    fast = np.zeros((len(texts), len(classes)))
    second = np.zeros_like(fast)
    fold_of = np.zeros(len(texts), dtype=int)
    split = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for k, (train, test) in enumerate(split.split(np.zeros(len(y)), y)):
        if progress is not None:
            progress(f"fold {k + 1}/{folds}: fast model and e5 + LR on {len(train)} texts")
        model = make_fast().fit([texts[i] for i in train], [labels[i] for i in train])
        fast[test] = aligned(model.predict_proba([texts[i] for i in test]), model.classes_, classes)
        lr = fit_embedding_lr(embeddings[train], [labels[i] for i in train])
        second[test] = aligned(lr.predict_proba(embeddings[test]), list(lr.classes_), classes)
        fold_of[test] = k
    return OutOfFold(classes, y, fast, second, fold_of)


@dataclass
class RoutedScore:
    """Cross-fitted: weight and threshold chosen on the other folds, scored on each fold."""

    fast_f1: float
    second_f1: float
    blend_all_f1: float
    routed_f1: float
    share_sent: float
    weights: list[float] = field(default_factory=list)


def cross_fitted(oof: OutOfFold, share: float) -> RoutedScore:
    """Macro-F1 of fast, e5 alone, the blend on every appeal and the routed system, with the
    blend weight and margin threshold picked on the other folds' rows, never the scored ones:
    an honest figure for choices made from data."""
    final_routed = np.zeros(len(oof.truth), dtype=int)
    final_blend = np.zeros(len(oof.truth), dtype=int)
    sent_total, weights = 0, []
    for k in np.unique(oof.fold):
        held, rest = oof.fold == k, oof.fold != k
        threshold = threshold_for_share(margins(oof.fast[rest]), share)
        weight, _f1 = choose_weight(oof.fast[rest], oof.second[rest], oof.truth[rest], threshold)
        all_weight, _f1 = choose_weight(
            oof.fast[rest], oof.second[rest], oof.truth[rest], float("inf")
        )
        final, sent = routed(oof.fast[held], oof.second[held], weight, threshold)
        final_routed[held] = final
        final_blend[held] = blend(oof.fast[held], oof.second[held], all_weight).argmax(axis=1)
        sent_total += int(sent.sum())
        weights.append(weight)
    truth = [str(v) for v in oof.truth]

    def f1(predicted: np.ndarray) -> float:
        return evaluate(truth, [str(v) for v in predicted]).macro_f1

    return RoutedScore(
        fast_f1=f1(oof.fast.argmax(axis=1)),
        second_f1=f1(oof.second.argmax(axis=1)),
        blend_all_f1=f1(final_blend),
        routed_f1=f1(final_routed),
        share_sent=sent_total / len(oof.truth),
        weights=weights,
    )


class IncompatibleSecondStage(IncompatibleModel):
    """A stored second stage this code cannot use: train it again."""


@dataclass
class SecondStage:
    """The trained second stage: an LR over e5 embeddings, the blend weight, and the margin
    of the fast model below which an appeal is sent on."""

    classes: list[str]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    weight: float
    margin_threshold: float
    encoder: str
    share: float
    format: int = SECOND_STAGE_FORMAT

    @classmethod
    def from_lr(
        cls, fitted: Pipeline, *, weight: float, threshold: float, encoder: str, share: float
    ) -> SecondStage:
        scaler, lr = fitted[0], fitted[-1]
        return cls(
            classes=[str(c) for c in lr.classes_],
            mean=np.asarray(scaler.mean_, dtype=np.float32),
            scale=np.asarray(scaler.scale_, dtype=np.float32),
            coef=np.asarray(lr.coef_, dtype=np.float32),
            intercept=np.asarray(lr.intercept_, dtype=np.float32),
            weight=weight,
            margin_threshold=threshold,
            encoder=encoder,
            share=share,
        )

    def is_unsure(self, fast_margin: float) -> bool:
        return fast_margin < self.margin_threshold

    def embedding_proba(self, embeddings: np.ndarray) -> np.ndarray:
        standard = (embeddings - self.mean) / self.scale
        scores = standard @ self.coef.T.astype(np.float64) + self.intercept
        if scores.shape[1] == 1:  # two classes: one row of weights for the second
            scores = np.column_stack([-scores[:, 0], scores[:, 0]]) / 2
        scores -= scores.max(axis=1, keepdims=True)
        e = np.exp(scores)
        return np.asarray(e / e.sum(axis=1, keepdims=True))

    def blended(
        self, fast: np.ndarray, fast_classes: Sequence[str], embeddings: np.ndarray
    ) -> np.ndarray:
        """The blend over this stage's classes, for fast probabilities over `fast_classes`."""
        return blend(
            aligned(fast, fast_classes, self.classes), self.embedding_proba(embeddings), self.weight
        )

    def describe(self) -> str:
        return (
            f"{self.encoder} + logistic regression (C={LR_C:g}), blended "
            f"{1 - self.weight:.2f}·fast + {self.weight:.2f}·e5 where the fast margin "
            f"< {self.margin_threshold:.3f} (~{self.share:.0%} of appeals)"
        )

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        pickle.dump(self, buffer, protocol=pickle.HIGHEST_PROTOCOL)
        return zlib.compress(buffer.getvalue(), 6)

    @classmethod
    def from_bytes(cls, data: bytes) -> SecondStage:
        try:
            loaded = pickle.loads(zlib.decompress(data))
        except Exception as error:
            raise IncompatibleSecondStage(f"unreadable second-stage payload: {error}") from error
        if not isinstance(loaded, cls) or loaded.format != SECOND_STAGE_FORMAT:
            raise IncompatibleSecondStage("the second stage was made by another version")
        return loaded


def train_second_stage(
    texts: Sequence[str],
    labels: Sequence[str],
    embeddings: np.ndarray,
    *,
    encoder: str,
    share: float = DEFAULT_SHARE,
    folds: int = 5,
    progress: Callable[[str], None] | None = None,
) -> tuple[SecondStage, RoutedScore]:
    """Out-of-fold predictions choose the threshold (the fast margin at `share`) and the
    weight; the LR is then refitted on every labelled text."""
    oof = out_of_fold(texts, labels, embeddings, folds=folds, progress=progress)
    score = cross_fitted(oof, share)
    threshold = threshold_for_share(margins(oof.fast), share)
    weight, _f1 = choose_weight(oof.fast, oof.second, oof.truth, threshold)
    if progress is not None:
        progress(f"refitting e5 + LR on all {len(texts)} texts (weight {weight:.2f})")
    lr = fit_embedding_lr(embeddings, labels)
    stage = SecondStage.from_lr(
        lr, weight=weight, threshold=threshold, encoder=encoder, share=share
    )
    return stage, score


def as_metrics(score: RoutedScore, folds: int) -> dict[str, Any]:
    return {
        f"cv{folds}_macro_f1_fast": round(score.fast_f1, 4),
        f"cv{folds}_macro_f1_second_alone": round(score.second_f1, 4),
        f"cv{folds}_macro_f1_blend_all": round(score.blend_all_f1, 4),
        f"cv{folds}_macro_f1_routed": round(score.routed_f1, 4),
        "share_sent": round(score.share_sent, 4),
        "weights_by_fold": score.weights,
    }
