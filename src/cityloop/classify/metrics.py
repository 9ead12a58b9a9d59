"""Evaluation figures for a classifier: accuracy, macro-F1, per-class F1, confusion matrix,
and the calibration error of its confidences."""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


@dataclass
class Report:
    accuracy: float
    macro_f1: float
    labels: list[str]
    per_class: dict[str, dict[str, float]] = field(default_factory=dict)
    confusion: list[list[int]] = field(default_factory=list)

    def as_text(self) -> str:
        name_width = max([_width(label) for label in self.labels] + [8]) + 2
        lines = [
            f"texts: {sum(int(c['support']) for c in self.per_class.values())}",
            f"accuracy: {self.accuracy:.3f}",
            "",
            _pad("class", name_width) + "precision  recall     f1  support",
        ]
        for label in self.labels:
            row = self.per_class[label]
            lines.append(
                _pad(label, name_width)
                + f"{row['precision']:9.3f} {row['recall']:7.3f} {row['f1']:6.3f} "
                f"{int(row['support']):8d}"
            )
        lines += ["", "confusion matrix (rows: true, columns: predicted, in the order above)"]
        for label, counts in zip(self.labels, self.confusion, strict=True):
            lines.append(_pad(label, name_width) + " ".join(f"{n:5d}" for n in counts))
        lines += ["", f"macro-F1: {self.macro_f1:.3f}"]
        return "\n".join(lines)


def evaluate(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str] | None = None
) -> Report:
    """Macro-F1 averages over the classes present in the truth (a class never seen in the
    data cannot be judged)."""
    classes = list(labels) if labels is not None else sorted(set(y_true))
    index = {label: i for i, label in enumerate(classes)}
    matrix = np.zeros((len(classes), len(classes)), dtype=int)
    outside = 0
    for truth, guess in zip(y_true, y_pred, strict=True):
        if truth in index and guess in index:
            matrix[index[truth], index[guess]] += 1
        elif truth in index:
            outside += 1  # predicted a label this data does not have: counts as wrong
    per_class = {}
    f1s = []
    for i, label in enumerate(classes):
        tp = matrix[i, i]
        predicted, support = matrix[:, i].sum(), matrix[i, :].sum()
        missed_elsewhere = support  # recall counts predictions outside the label set as misses
        precision = tp / predicted if predicted else 0.0
        recall = tp / missed_elsewhere if missed_elsewhere else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {
            "precision": float(precision),
            "recall": float(recall),
            "f1": float(f1),
            "support": float(support),
        }
        if support:
            f1s.append(f1)
    total = int(matrix.sum()) + outside
    accuracy = float(np.trace(matrix) / total) if total else 0.0
    return Report(
        accuracy, float(np.mean(f1s)) if f1s else 0.0, classes, per_class, matrix.tolist()
    )


def expected_calibration_error(
    probabilities: np.ndarray, true_index: Sequence[int], bins: int = 10
) -> float:
    """How far the stated confidence is from the observed accuracy, averaged over bins."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == np.asarray(true_index)
    edges = np.linspace(0, 1, bins + 1)
    error = 0.0
    for low, high in itertools.pairwise(edges):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            error += inside.mean() * abs(confidence[inside].mean() - correct[inside].mean())
    return float(error)
