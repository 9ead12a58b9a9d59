"""The category model: hashed character n-grams of the appeal text, a linear classifier,
temperature-calibrated probabilities, and self-training on unlabelled appeals.

Why this shape: Chinese appeals are short and full of place names; character n-grams need
no segmenter and were the strongest single representation on the real messages
(../shared/notes/offline-chinese-models.md). In 5-fold CV on labeled_messages.csv, 1–2-grams
plus the n-grams of the first 30 characters (the title) counted twice scored best (macro-F1
0.901, against 0.888 for 1–3-grams and 0.878 for 1–4-grams), and cost the least. The
n-grams are hashed with numpy over a whole batch at once instead of sklearn's per-character
Python analyzer, which is what makes one appeal take well under a millisecond and a batch
thousands of texts per second.
Unlabelled appeals help twice: the IDF is fitted on all texts, and confident predictions on
them join training as pseudo-labels with a lower weight.
"""

from __future__ import annotations

import io
import pickle
import re
import zlib
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import sklearn
from scipy import sparse
from scipy.optimize import minimize_scalar
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

_SPACES = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")
_HASH_BITS = 22
_MULTIPLIERS = np.array(
    [
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD,
        0xC4CEB9FE1A85EC53,
    ],
    dtype=np.uint64,
)


# Full-width ASCII (！ to ～) to half-width, and the ideographic space to a space.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def normalize(text: str) -> str:
    """Full-width to half-width, no whitespace, every number the same token."""
    text = (text or "").translate(_HALF_WIDTH)
    return _DIGITS.sub("0", _SPACES.sub("", text)).lower()


def hashed_ngrams(
    texts: Sequence[str], ngram_max: int, salt: int = 0
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """For n = 1…ngram_max: (text number, hashed column in 0…2**22) of every character n-gram
    of the texts, ordered by text. All texts of the batch go through a few numpy operations."""
    # all texts in one array, a 0 after each, so that no n-gram spans two texts
    joined = np.frombuffer(
        "".join(t.replace("\0", "") + "\0" for t in texts).encode("utf-32-le"), dtype=np.uint32
    ).astype(np.uint64)
    is_gap = joined == 0
    doc_of = np.cumsum(is_gap) - is_gap
    gaps_before = np.concatenate([[0], np.cumsum(is_gap)])
    mask = np.uint64((1 << _HASH_BITS) - 1)
    with np.errstate(over="ignore"):
        for n in range(1, ngram_max + 1):
            width = len(joined) - n + 1
            if width <= 0:
                break
            h = np.full(width, np.uint64(n + 8 * salt) * _MULTIPLIERS[5], dtype=np.uint64)
            for k in range(n):
                h = (h ^ joined[k : k + width]) * _MULTIPLIERS[k % 5]
            h ^= h >> np.uint64(29)
            valid = gaps_before[n : n + width] - gaps_before[:width] == 0
            yield doc_of[:width][valid], (h[valid] & mask).astype(np.int64)


class Features:
    """Sublinear TF × IDF over hashed n-grams, rows scaled to unit length. Only columns seen
    in at least `min_df` fitted texts are kept, which keeps the model small."""

    def __init__(self, ngram_max: int = 2, min_df: int = 2, lead: int = 0) -> None:
        self.ngram_max = ngram_max
        self.lead = lead
        self.min_df = min_df
        self.columns = np.zeros(0, dtype=np.int64)
        self.idf = np.zeros(0, dtype=np.float32)
        self._lookup: np.ndarray | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_lookup": None}  # rebuilt on first use, 16 MB not stored

    def _blocks(self, docs: Sequence[str]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """All n-grams; then those of the lead (the first `lead` characters, where the title
        of a message is) a second time under their own hash, as they say most."""
        yield from hashed_ngrams(docs, self.ngram_max)
        if self.lead:
            yield from hashed_ngrams([d[: self.lead] for d in docs], self.ngram_max, 1)

    def fit(self, docs: Sequence[str]) -> Features:
        df = np.zeros(1 << _HASH_BITS, dtype=np.int64)
        for rows, cols in self._blocks(docs):
            df += np.bincount(
                np.unique(rows * (1 << _HASH_BITS) + cols) & ((1 << _HASH_BITS) - 1),
                minlength=1 << _HASH_BITS,
            )
        self.columns = np.flatnonzero(df >= self.min_df)
        self.idf = (np.log((1 + len(docs)) / (1 + df[self.columns])) + 1).astype(np.float32)
        self._lookup = None
        return self

    def transform(self, docs: Sequence[str]) -> sparse.csr_matrix:
        if self._lookup is None:
            self._lookup = np.full(1 << _HASH_BITS, -1, dtype=np.int64)
            self._lookup[self.columns] = np.arange(len(self.columns))
        shape = (len(docs), len(self.columns))
        counts = sparse.csr_matrix(shape, dtype=np.float32)
        for rows, hashed in self._blocks(docs):
            cols = self._lookup[hashed]
            known = cols >= 0
            # rows come ordered by text, so the row pointers are a running count
            indptr = np.concatenate([[0], np.cumsum(np.bincount(rows[known], minlength=len(docs)))])
            counts = counts + sparse.csr_matrix(
                (np.ones(int(known.sum()), dtype=np.float32), cols[known], indptr), shape=shape
            )
        counts.data = (1 + np.log(counts.data)) * self.idf[counts.indices]
        norms = np.sqrt(
            np.bincount(
                np.repeat(np.arange(len(docs)), np.diff(counts.indptr)),
                weights=counts.data**2,
                minlength=len(docs),
            )
        )
        norms[norms == 0] = 1
        counts.data /= np.repeat(norms, np.diff(counts.indptr)).astype(np.float32)
        return counts


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores / temperature
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def _fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The temperature that makes softmax(scores / T) best predict the truth (log loss)."""

    def loss(t: float) -> float:
        p = _softmax(scores, t)[np.arange(len(truth)), truth]
        return float(-np.log(np.clip(p, 1e-12, 1)).mean())

    return float(minimize_scalar(loss, bounds=(0.01, 10), method="bounded").x)


# Raised to 2 when the features changed (block-wise hashing, title lead): models
# stored before must be retrained, not half-loaded.
MODEL_FORMAT = 2


class IncompatibleModel(Exception):
    """A stored model this code cannot use; train a new one (`cityloop classify train`)."""


class TextClassifier:
    def __init__(
        self,
        *,
        ngram_max: int = 2,
        c: float = 1.5,
        self_training: bool = True,
        pseudo_confidence: float = 0.95,
        pseudo_weight: float = 0.2,
        lead: int = 30,
        seed: int = 7,
    ) -> None:
        self.format = MODEL_FORMAT
        self.lead = lead
        self.ngram_max = ngram_max
        self.c = c
        self.self_training = self_training
        self.pseudo_confidence = pseudo_confidence
        self.pseudo_weight = pseudo_weight
        self.seed = seed
        self.features: Features | None = None
        self.coef = np.zeros((0, 0), dtype=np.float32)
        self.intercept = np.zeros(0, dtype=np.float32)
        self.temperature = 1.0
        self.classes_: list[str] = []
        self.n_train = 0
        self.n_unlabeled = 0
        self.n_pseudo = 0

    def _svm(self) -> LinearSVC:
        return LinearSVC(C=self.c, random_state=self.seed)

    def fit(
        self, texts: Sequence[str], labels: Sequence[str], unlabeled: Sequence[str] | None = None
    ) -> TextClassifier:
        if len(texts) != len(labels) or not texts:
            raise ValueError("need as many labels as texts, and at least one of each")
        docs = [normalize(t) for t in texts]
        extra = [normalize(t) for t in (unlabeled or []) if t and t.strip()]
        # the vocabulary and IDF come from the labelled texts only: fitting them on the
        # unlabelled messages too cost a point of macro-F1 in cross-validation
        self.features = Features(self.ngram_max, lead=self.lead).fit(docs)
        x = self.features.transform(docs)
        y = np.asarray(labels)
        if len(set(labels)) < 2:
            raise ValueError("need at least two different labels to learn from")
        weights = np.ones(len(y))
        self._set(self._svm().fit(x, y))
        self.temperature = self._calibrate(x, y, x, y, weights)
        self.n_train, self.n_unlabeled, self.n_pseudo = len(docs), len(extra), 0
        if self.self_training and extra:
            pool = self.features.transform(extra)
            probabilities = self._probabilities(pool)
            guesses = np.asarray(self.classes_)[probabilities.argmax(axis=1)]
            chosen = np.flatnonzero(probabilities.max(axis=1) >= self.pseudo_confidence)
            if len(chosen):
                x = sparse.vstack([x, pool[chosen]], format="csr")
                y = np.concatenate([y, guesses[chosen]])
                weights = np.concatenate([weights, np.full(len(chosen), self.pseudo_weight)])
                self._set(self._svm().fit(x, y, sample_weight=weights))
                self.temperature = self._calibrate(x[: len(docs)], y[: len(docs)], x, y, weights)
                self.n_pseudo = len(chosen)
        return self

    def _calibrate(
        self, x_labeled: Any, y_labeled: np.ndarray, x: Any, y: np.ndarray, weights: np.ndarray
    ) -> float:
        """Temperature from out-of-fold decision scores on the labelled texts (pseudo-labels
        always stay in training, never in the scored fold)."""
        n_labeled = len(y_labeled)
        smallest = int(min(np.unique(y_labeled, return_counts=True)[1]))
        folds = min(3, smallest)
        if folds < 2:
            return 1.0
        index = {c: i for i, c in enumerate(self.classes_)}
        scores = np.zeros((n_labeled, len(self.classes_)))
        split = StratifiedKFold(folds, shuffle=True, random_state=self.seed)
        extra = np.arange(n_labeled, x.shape[0])
        for train, test in split.split(np.zeros(n_labeled), y_labeled):
            rows = np.concatenate([train, extra])
            svm = self._svm().fit(x[rows], y[rows], sample_weight=weights[rows])
            fold_scores = np.asarray(svm.decision_function(x_labeled[test]))
            if fold_scores.ndim == 1:
                fold_scores = np.column_stack([-fold_scores, fold_scores])
            for j, label in enumerate(svm.classes_):
                scores[test, index[str(label)]] = fold_scores[:, j]
        return _fit_temperature(scores, np.array([index[str(v)] for v in y_labeled]))

    def _set(self, svm: LinearSVC) -> None:
        coef = np.asarray(svm.coef_, dtype=np.float32)
        intercept = np.asarray(svm.intercept_, dtype=np.float32)
        if coef.shape[0] == 1:  # two classes: sklearn keeps one row for the second class
            coef = (np.vstack([-coef, coef]) / 2).astype(np.float32)
            intercept = (np.array([-1, 1]) * intercept / 2).astype(np.float32)
        self.coef, self.intercept = coef, intercept
        self.classes_ = [str(c) for c in svm.classes_]

    def _probabilities(self, x: Any) -> np.ndarray:
        scores = np.asarray(x @ self.coef.T) + self.intercept
        return _softmax(scores, self.temperature)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        if self.features is None:
            raise RuntimeError("the model is not trained")
        return self._probabilities(self.features.transform([normalize(t) for t in texts]))

    def predict(self, texts: Sequence[str]) -> list[str]:
        if not texts:
            return []
        return [self.classes_[i] for i in self.predict_proba(texts).argmax(axis=1)]

    def top_k(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        probabilities = self.predict_proba([text])[0]
        order = np.argsort(-probabilities)[:k]
        return [(self.classes_[i], float(probabilities[i])) for i in order]

    def describe(self) -> dict[str, Any]:
        return {
            "method": f"hashed char 1–{self.ngram_max}-grams TF-IDF + LinearSVC(C={self.c}), "
            f"temperature {self.temperature:.3f}"
            f"{', self-training' if self.self_training else ''}",
            "n_train": self.n_train,
            "n_unlabeled": self.n_unlabeled,
            "n_pseudo": self.n_pseudo,
            "classes": len(self.classes_),
            "sklearn": sklearn.__version__,
        }

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        pickle.dump(self, buffer, protocol=pickle.HIGHEST_PROTOCOL)
        return zlib.compress(buffer.getvalue(), 6)

    @classmethod
    def from_bytes(cls, data: bytes) -> TextClassifier:
        """A stored model, or IncompatibleModel when it was made by another model format."""
        try:
            loaded = pickle.loads(zlib.decompress(data))
        except Exception as error:  # a class or module that no longer exists
            raise IncompatibleModel(f"unreadable model payload: {error}") from error
        if not isinstance(loaded, cls) or getattr(loaded, "format", None) != MODEL_FORMAT:
            raise IncompatibleModel("the model was made by another version of cityloop")
        return loaded
