"""Emerging topics (舆情): words and phrases of the appeals' text whose frequency bursts in a
recent window against the days before it.

Each appeal is cut into words (jieba); its terms are its words of two or more characters and
the pairs of adjacent words (bigrams, so "燃气" + "味" gives "燃气味"), stop words and
punctuation left out. A term is counted once per appeal (document frequency). Against a
baseline of the `baseline_days` before the window, a term's expected count in the window is
the window's appeals × the term's baseline share (with half an appeal added, so that a term
never seen before is not infinitely surprising); its score is the Poisson surprise
-log10 P(X >= observed | expected). A topic must be seen in at least `min_count` appeals and
at `min_ratio` times its expected count. Terms in more than GENERIC_SHARE of the baseline's
appeals ("反映", "小区" …) are generic and never topics. Of two topics carried by mostly the
same appeals, only the stronger is reported.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from scipy import stats

GENERIC_SHARE = 0.2
OVERLAP = 0.8  # share of the smaller topic's appeals that makes two topics one
PRIOR_APPEALS = 0.5

_STOP_WORDS_TEXT = """
    我们 你们 他们 她们 它们 自己 这个 那个 这些 那些 这里 那里 这样 那样 这么 那么 什么 怎么
    为什么 因为 所以 但是 而且 或者 如果 虽然 然后 还是 就是 不是 没有 已经 一直 现在 目前
    今天 昨天 明天 每天 时候 时间 一下 一些 一个 一次 几次 多次 非常 特别 比较 可以 可能 能够
    需要 应该 希望 要求 请求 麻烦 尽快 马上 立即 及时 处理 解决 反映 问题 情况 相关 有关
    部门 单位 工作人员 人员 市民 来电 诉求 诉求人 表示 称 说 我家 家里 家 附近 周边 小区
    影响 严重 正常 生活 居民 大家 还有 以及 并且 不过 而是 只是 也是 都是 一样 另外 其他
    这边 那边 里面 外面 上面 下面 之前 之后 以后 以前 期间 左右 大概 一般 真的 确实 实在
    的 了 是 在 有 和 与 也 都 就 很 还 又 把 被 让 给 对 从 到 等 着 过 吗 呢 吧 啊 呀 我 你
    他 她 它 这 那 不 要 会 能 里 上 下 中 个 们 及 或 而 但 请 并 已 将 为 以 于 其 该 每 几
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
_WORD = re.compile(r"^[\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z0-9]*$")


@dataclass(frozen=True)
class Topic:
    phrase: str
    window_start: date
    window_end: date
    observed: int  # appeals in the window using the phrase
    expected: float  # from the baseline's share
    score: float  # -log10 of the Poisson probability of so many or more
    appeal_ids: tuple[int, ...]


def _quiet_jieba() -> None:
    """jieba announces its dictionary load on standard error; a library should not."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()


@lru_cache(maxsize=1)
def _cutter() -> Callable[..., list[str]]:
    _quiet_jieba()
    import jieba

    cut: Callable[..., list[str]] = jieba.lcut
    return cut


@lru_cache(maxsize=200_000)
def terms_of(text: str) -> frozenset[str]:
    """The words (two characters or more) and adjacent-word pairs of a text, without stop
    words or punctuation. Cached per text: appeals repeat one another more than one thinks."""
    words = _cutter()(text, HMM=False)
    terms: set[str] = set()
    previous = ""
    for word in words:
        word = word.strip()
        if not word or not _WORD.match(word) or word in STOP_WORDS:
            previous = ""
            continue
        if len(word) >= 2:
            terms.add(word)
        if previous and max(len(previous), len(word)) >= 2:
            terms.add(previous + word)
        previous = word
    return frozenset(terms)


def emerging_topics(
    appeals: Iterable[tuple[int, date, str]],
    window_start: date,
    window_end: date,
    *,
    baseline_days: int = 90,
    min_count: int = 5,
    min_ratio: float = 3.0,
    limit: int = 20,
) -> list[Topic]:
    """Topics of the window (both days included) against the `baseline_days` before it,
    strongest first. Appeals outside both periods are ignored."""
    if window_end < window_start:
        raise ValueError("the window ends before it starts")
    baseline_start = window_start - timedelta(days=baseline_days)
    in_window: dict[str, list[int]] = defaultdict(list)
    in_baseline: Counter[str] = Counter()
    window_total = baseline_total = 0
    for appeal_id, day, text in appeals:
        if window_start <= day <= window_end:
            window_total += 1
            for term in terms_of(text):
                in_window[term].append(appeal_id)
        elif baseline_start <= day < window_start:
            baseline_total += 1
            in_baseline.update(terms_of(text))
    candidates = []
    for term, ids in in_window.items():
        observed = len(ids)
        if observed < min_count:
            continue
        seen = in_baseline.get(term, 0)
        if baseline_total and seen > GENERIC_SHARE * baseline_total:
            continue
        expected = window_total * (seen + PRIOR_APPEALS) / (baseline_total + 1)
        if observed < min_ratio * expected:
            continue
        surprise = -float(stats.poisson.logsf(observed - 1, expected)) / math.log(10)
        candidates.append(
            Topic(term, window_start, window_end, observed, expected, surprise, tuple(ids))
        )
    # strongest first; at equal strength the longer phrase says more
    candidates.sort(key=lambda topic: (-topic.score, -len(topic.phrase), topic.phrase))
    chosen: list[Topic] = []
    kept_sets: list[set[int]] = []
    for topic in candidates:
        carried = set(topic.appeal_ids)
        if any(len(carried & kept) >= OVERLAP * min(len(carried), len(kept)) for kept in kept_sets):
            continue
        chosen.append(topic)
        kept_sets.append(carried)
        if len(chosen) == limit:
            break
    return chosen
