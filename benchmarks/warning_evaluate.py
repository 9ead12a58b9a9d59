"""The early-warning evaluation with big settings, and the emerging-topic scan's speed.

1. `cityloop warning evaluate` (C1, C2, C3 and ours on demo-city histories with injected
   incidents): both tables and the run time.
2. Emerging topics over 100,000 demo-city appeal texts (120 days, a burst of "燃气味" in the
   last two): time with the segmentation cache cold and warm, and the top topics.

Usage: python benchmarks/warning_evaluate.py [--incidents 200] [--days 730] [--seed 14]
       [--texts 100000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta

import django


def topic_texts(count: int, seed: int) -> tuple[list[tuple[int, date, str]], date, date]:
    from cityloop.demo import texts
    from cityloop.demo.text_profiles import PROFILES

    rng = random.Random(seed)
    start = date(2026, 6, 1)
    roads = ("幸福路", "光明街", "建设路", "和平里", "朝阳路", "复兴门外大街")
    rows = []
    for number in range(count):
        profile = rng.choice(PROFILES)
        _, content = texts.compose_appeal(rng, profile, None, rng.random() < 0.05)
        place = f"{rng.choice(roads)}{rng.randint(1, 400)}号"
        rows.append((number, start + timedelta(days=number * 120 // count), place + content))
    window = (start + timedelta(days=118), start + timedelta(days=119))
    for k in range(40):
        text = f"{rng.choice(roads)}{k}号楼道里燃气味很重，担心泄漏"
        rows.append((count + k, window[k % 2], text))
    return rows, *window


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=200)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--texts", type=int, default=100_000)
    args = parser.parse_args()
    django.setup()  # the demo's rhythm reads the time zone from the settings

    from cityloop.cli_warning import run_evaluation
    from cityloop.warning.topics import emerging_topics, terms_of

    started = time.perf_counter()
    table = run_evaluation(args.incidents, args.seed, args.days, 0.001, None)
    print(table)
    print(f"evaluation: {time.perf_counter() - started:.1f} s")

    rows, first, last = topic_texts(args.texts, args.seed)
    print(f"{len(rows):,} texts, {len({text for _, _, text in rows}):,} distinct", file=sys.stderr)
    terms_of("预热")  # load jieba's dictionary outside the timing
    for cache in ("cold", "warm"):
        started = time.perf_counter()
        topics = emerging_topics(rows, first, last)
        seconds = time.perf_counter() - started
        print(f"emerging topics over {len(rows):,} texts, cache {cache}: {seconds:.2f} s")
    for topic in topics[:5]:
        print(
            f"  {topic.phrase}: {topic.observed} appeals, expected {topic.expected:.2f}, "
            f"score {topic.score:.1f}"
        )


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityloop.settings")
    main()
