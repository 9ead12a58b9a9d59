"""Cross-validated quality and speed of the category model on the real labelled messages.

Prints stratified k-fold macro-F1 (mean ± sd) and accuracy, in the same folds, for
- the simple baseline: scikit-learn's TfidfVectorizer (char 1–4-grams) + LinearSVC,
- cityloop's model on the labelled messages alone,
- cityloop's model with self-training on the unlabelled messages,
then the calibration error of the confidence, training time, model size, and speed
(texts/s in batch, latency per text).

Usage: python benchmarks/classify_cv.py [--folds 5] [--quick]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

from cityloop.classify.datasets import read_labeled, read_unlabeled
from cityloop.classify.metrics import evaluate, expected_calibration_error
from cityloop.classify.textmodel import TextClassifier

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "appeals_cn"


class SklearnBaseline:
    """The textbook pipeline, with scores turned into probabilities by a softmax."""

    def fit(self, texts, labels, _unlabeled=None):
        self.pipeline = make_pipeline(
            TfidfVectorizer(analyzer="char", ngram_range=(1, 4), min_df=2, sublinear_tf=True),
            LinearSVC(C=1.0),
        ).fit(texts, labels)
        self.classes_ = list(self.pipeline.classes_)
        return self

    def predict_proba(self, texts):
        scores = self.pipeline.decision_function(texts)
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="2 folds")
    args = parser.parse_args()
    folds = 2 if args.quick else args.folds
    texts, labels = read_labeled(DATA / "labeled_messages.csv")
    unlabeled = read_unlabeled(DATA / "unlabeled_messages.csv")
    print(
        f"{len(texts)} labelled ({len(set(labels))} classes), {len(unlabeled)} unlabelled; "
        f"stratified {folds}-fold CV"
    )
    x, y = np.asarray(texts, dtype=object), np.asarray(labels)
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=0).split(x, y))
    for name, make, extra in [
        ("baseline: sklearn TF-IDF char 1-4 + LinearSVC", SklearnBaseline, None),
        ("cityloop model, labelled only", lambda: TextClassifier(self_training=False), None),
        ("cityloop model + self-training on unlabelled", TextClassifier, unlabeled),
    ]:
        f1s, accs, eces, started = [], [], [], time.perf_counter()
        for train, test in splits:
            model = make().fit(list(x[train]), list(y[train]), extra)
            probabilities = model.predict_proba(list(x[test]))
            predicted = [model.classes_[i] for i in probabilities.argmax(axis=1)]
            report = evaluate(list(y[test]), predicted)
            f1s.append(report.macro_f1)
            accs.append(report.accuracy)
            index = {c: i for i, c in enumerate(model.classes_)}
            eces.append(expected_calibration_error(probabilities, [index[v] for v in y[test]]))
        took = (time.perf_counter() - started) / folds
        print(
            f"{name:52s} macro-F1 {np.mean(f1s):.3f} ± {np.std(f1s):.3f}  accuracy "
            f"{np.mean(accs):.3f}  ECE {np.mean(eces):.3f}  train {took:.1f} s/fold"
        )
    started = time.perf_counter()
    model = TextClassifier(self_training=False).fit(texts, labels)
    print(
        f"model as trained on all labelled messages: {time.perf_counter() - started:.1f} s, "
        f"{len(model.to_bytes()) / 1e6:.1f} MB stored, {model.describe()['method']}"
    )
    for name, batch in [
        (f"real messages (mean {np.mean([len(t) for t in texts]):.0f} characters)", texts * 2),
        ("the same cut to 120 characters (a typical call)", [t[:120] for t in texts * 2]),
    ]:
        model.predict_proba(batch[:50])
        started = time.perf_counter()
        model.predict_proba(batch)
        rate = len(batch) / (time.perf_counter() - started)
        latencies = []
        for text in batch[:500]:
            started = time.perf_counter()
            model.top_k(text)
            latencies.append(time.perf_counter() - started)
        latencies.sort()
        print(
            f"speed on {name}: {rate:,.0f} texts/s in batch (one process), one text "
            f"p50 {latencies[250] * 1000:.2f} ms, p99 {latencies[494] * 1000:.2f} ms"
        )


if __name__ == "__main__":
    main()
