"""The reply check (答复质量) on the real official replies in ../shared/data/appeals_cn.

Prints: share passed and flagged per reason; agreement (ROC-AUC) with the weak labels made
by another team (可解释性 on 2,816 replies; 完整性 / 可解释性 on 100) — weak labels, method
undocumented, so a sanity check and not ground truth; how often the true reply is judged more
relevant than a reply to another random appeal; and the time per check.
"""

from __future__ import annotations

import csv
import random
import sys
import time
from collections import Counter
from pathlib import Path

from sklearn.metrics import roc_auc_score

from cityloop.classify.reply_check import check_reply

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "appeals_cn"


def rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def appeal(row: dict[str, str]) -> str:
    return row["留言主题"] + row["留言详情"]


def main() -> None:
    if not DATA.exists():
        sys.exit(f"no data at {DATA}")
    weak = rows("replies_weak_labels_interpretability.csv")
    started = time.perf_counter()
    checks = [check_reply(appeal(r), r["答复意见"]) for r in weak]
    took = (time.perf_counter() - started) / len(weak) * 1000
    print(f"{len(weak)} real replies, {took:.2f} ms per check")
    print(f"passed: {sum(c.ok for c in checks) / len(checks):.1%}")
    for reason, count in Counter(r for c in checks for r in c.reasons).most_common():
        print(f"  {reason}: {count / len(checks):.1%}")
    labels = [int(float(r["可解释性"])) for r in weak]
    print(
        f"ROC-AUC of the score vs weak 可解释性 label: "
        f"{roc_auc_score(labels, [c.score for c in checks]):.3f} "
        f"(label 1 on {sum(labels) / len(labels):.0%} of replies)"
    )
    hundred = rows("replies_weak_labels_100.csv")
    for column in ("完整性指标", "可解释性指标"):
        labelled = [r for r in hundred if r[column].strip()]
        scores = [check_reply(appeal(r), r["答复意见"]).score for r in labelled]
        values = [float(r[column]) for r in labelled]
        binary = [int(v >= sorted(values)[len(values) // 2]) for v in values]
        if len(set(binary)) > 1:
            print(
                f"ROC-AUC vs weak {column} ({len(labelled)} replies, above median): "
                f"{roc_auc_score(binary, scores):.3f}"
            )
    rng = random.Random(1)
    wins = sum(
        check_reply(appeal(r), r["答复意见"]).relevance
        > check_reply(appeal(r), weak[rng.randrange(len(weak))]["答复意见"]).relevance
        for r in weak
    )
    print(f"true reply more relevant than a random other reply: {wins / len(weak):.1%}")


if __name__ == "__main__":
    main()
