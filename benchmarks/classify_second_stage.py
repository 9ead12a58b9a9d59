"""The second stage of category understanding, measured on the real labelled messages.

Prints, in the same stratified 5-fold CV:
- macro-F1 of the fast model, of e5 + logistic regression alone, of the blend on every
  appeal, and of the routed system (fast model, blend for the least sure share) for several
  shares sent on; the blend weight and margin threshold are chosen on the other folds'
  out-of-fold rows, never on the scored fold;
- the share of appeals each stage handles at the chosen share;
- the fast path per appeal (fast model + the routing decision) and the second stage per
  appeal (one embedding + the LR + the blend), one text at a time.

The embeddings are cached by text hash under --cache (default $CITYLOOP_DATA_DIR/embeddings,
never in the repository: they are derived from data that may not be shipped); the first run
embeds every message (tens of minutes on two cores), later runs read them. --limit N takes a
stratified subset of N messages when there is no time for all.

Usage: python benchmarks/classify_second_stage.py [--limit N] [--share 0.2] [--cache DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from sklearn.model_selection import train_test_split

from cityloop.classify.datasets import read_labeled, read_unlabeled
from cityloop.classify.embeddings import ENCODER_NAME, E5Embedder, EmbeddingCache, embed_cached
from cityloop.classify.metrics import evaluate
from cityloop.classify.secondstage import (
    DEFAULT_SHARE,
    SecondStage,
    blend,
    choose_weight,
    cross_fitted,
    fit_embedding_lr,
    margins,
    out_of_fold,
    threshold_for_share,
)
from cityloop.classify.textmodel import TextClassifier

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "appeals_cn"
SHARES = [0.05, 0.1, 0.2, 0.3, 0.5, 1.0]


def per_text_ms(run, items) -> tuple[float, float]:
    times = []
    for item in items:
        started = time.perf_counter()
        run(item)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.99))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=0, help="stratified subset of N messages")
    parser.add_argument("--share", type=float, default=DEFAULT_SHARE)
    parser.add_argument("--folds", type=int, default=5)
    default_cache = Path(os.environ.get("CITYLOOP_DATA_DIR", ".cityloop")) / "embeddings"
    parser.add_argument("--cache", type=Path, default=default_cache)
    parser.add_argument("--timing-texts", type=int, default=20)
    args = parser.parse_args()

    texts, labels = read_labeled(DATA / "labeled_messages.csv")
    if args.limit and args.limit < len(texts):
        texts, _t, labels, _l = train_test_split(
            texts, labels, train_size=args.limit, stratify=labels, random_state=0
        )
        print(f"stratified subset: {len(texts)} of the labelled messages")
    print(f"{len(texts)} labelled messages, {len(set(labels))} classes, {args.folds}-fold CV")
    cache = EmbeddingCache(args.cache, ENCODER_NAME)
    print(f"embeddings: {ENCODER_NAME}, {len(cache)} cached in {cache.directory}", file=sys.stderr)
    embedder = E5Embedder()
    started = time.perf_counter()
    embeddings = embed_cached(texts, embedder, cache)
    print(f"embeddings ready in {time.perf_counter() - started:.0f} s", file=sys.stderr)

    oof = out_of_fold(
        texts, labels, embeddings, folds=args.folds, progress=lambda s: print(s, file=sys.stderr)
    )
    chosen = cross_fitted(oof, args.share)
    print(
        f"\nmacro-F1 ({args.folds}-fold CV, out of fold):\n"
        f"  fast model (char n-grams + LinearSVC)      {chosen.fast_f1:.3f}\n"
        f"  second stage alone (e5 + LR)               {chosen.second_f1:.3f}\n"
        f"  blend on every appeal                      {chosen.blend_all_f1:.3f}"
    )
    print("\nfast + second stage on the least sure share (weight, threshold from other folds):")
    print("  share sent   sent (measured)   macro-F1   weights by fold")
    for share in sorted(set([*SHARES, args.share])):
        score = chosen if share == args.share else cross_fitted(oof, share)
        mark = "  <- chosen" if share == args.share else ""
        print(
            f"  {share:9.0%}   {score.share_sent:14.1%}   {score.routed_f1:8.3f}   "
            f"{' '.join(f'{w:.2f}' for w in score.weights)}{mark}"
        )
    threshold = threshold_for_share(margins(oof.fast), args.share)
    weight, _f1 = choose_weight(oof.fast, oof.second, oof.truth, threshold)
    print(
        f"\nat the chosen share: fast model alone decides {1 - chosen.share_sent:.1%} of the "
        f"appeals, the second stage {chosen.share_sent:.1%} (margin < {threshold:.3f}); "
        f"weight on all data {weight:.2f}"
    )
    sent = margins(oof.fast) < threshold
    for name, rows in [("sent on", sent), ("kept", ~sent)]:
        fast_right = (oof.fast[rows].argmax(axis=1) == oof.truth[rows]).mean()
        print(f"  accuracy of the fast model on the appeals {name}: {fast_right:.3f}")
    blended = blend(oof.fast[sent], oof.second[sent], weight).argmax(axis=1)
    print(
        f"  accuracy on the appeals sent on: e5 + LR alone "
        f"{(oof.second[sent].argmax(axis=1) == oof.truth[sent]).mean():.3f}, blend "
        f"{(blended == oof.truth[sent]).mean():.3f}"
    )

    # speed, one appeal at a time, as in production
    fast_model = TextClassifier(self_training=False).fit(texts, labels)
    lr = fit_embedding_lr(embeddings, labels)
    stage = SecondStage.from_lr(
        lr, weight=weight, threshold=threshold, encoder=ENCODER_NAME, share=args.share
    )
    fresh = read_unlabeled(DATA / "unlabeled_messages.csv")

    def fast_path(text: str) -> bool:
        ranked = fast_model.top_k(text)
        return stage.is_unsure(ranked[0][1] - ranked[1][1])

    fast_path(fresh[0])
    p50, p99 = per_text_ms(fast_path, fresh[:1000])
    print(
        f"\nfast path per appeal (model + routing), 1,000 unseen texts: p50 {p50:.2f} ms, "
        f"p99 {p99:.2f} ms"
    )

    def slow_path(text: str) -> None:
        probabilities = fast_model.predict_proba([text])
        stage.blended(probabilities, fast_model.classes_, embedder.embed([text]))

    sample = fresh[1000 : 1000 + args.timing_texts]
    p50, p99 = per_text_ms(slow_path, sample)
    print(
        f"second stage per appeal (embedding of ≤256 characters + LR + blend), "
        f"{len(sample)} unseen texts: median {p50:.0f} ms, slowest {p99:.0f} ms "
        f"(two cores shared with other work; load {os.getloadavg()[0]:.1f})"
    )
    report = evaluate([str(v) for v in oof.truth], [str(v) for v in oof.fast.argmax(axis=1)])
    print(f"(fast model out-of-fold accuracy {report.accuracy:.3f})")


if __name__ == "__main__":
    main()
