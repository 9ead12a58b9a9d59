"""Emerging topics on small synthetic texts with a known answer: a smell of gas reported 15
times in two days after months of silence is a topic, with its appeals; a word every month
uses steadily is not; generic words never are."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from cityloop.warning.topics import emerging_topics, terms_of

START = date(2026, 6, 1)
WINDOW = (START + timedelta(days=118), START + timedelta(days=119))
ORDINARY = (
    "{road}路口的路灯坏了好几天，晚上走路看不清，希望尽快修好。",
    "小区门口有人占道经营，早上堵得过不去，请有关部门处理。",
    "楼上装修噪音很大，中午也在施工，影响休息。",
    "我们小区的垃圾好几天没人清运，气味很大，请尽快处理。",
    "公交站台的广告牌松动了，刮风的时候很危险。",
    "{road}的井盖丢了，有人差点掉下去，请赶紧补上。",
    "小区停车位被外来车辆占用，物业也不管。",
)
GAS = (
    "{road}{n}号楼道里有很浓的燃气味，邻居都闻到了",
    "闻到很大的燃气味，怕出事，{road}{n}号楼",
    "我们单元燃气味很重，已经两天了",
    "晚上回家发现燃气味刺鼻，{road}附近",
)
ROADS = ("幸福路", "光明街", "建设路", "和平里")


def _city(gas_before: int = 1) -> list[tuple[int, date, str]]:
    """120 days of 30 ordinary appeals a day; "燃气味" `gas_before` times in the first
    118 days and 15 times in the last two."""
    rng = random.Random(5)
    rows: list[tuple[int, date, str]] = []
    for offset in range(120):
        for _ in range(30):
            text = rng.choice(ORDINARY).format(road=rng.choice(ROADS))
            rows.append((len(rows), START + timedelta(days=offset), text))
    for _ in range(gas_before):
        day = START + timedelta(days=rng.randrange(118))
        rows.append((len(rows), day, GAS[0].format(road="建设路", n=3)))
    for k in range(15):
        text = GAS[k % 4].format(road=rng.choice(ROADS), n=k + 1)
        rows.append((len(rows), WINDOW[k % 2], text))
    return rows


def test_a_smell_of_gas_bursting_is_the_top_topic_with_its_appeals():
    rows = _city()
    gas_ids = {appeal_id for appeal_id, _, text in rows[-15:]}
    topics = emerging_topics(rows, *WINDOW)

    assert topics, "the burst is found"
    top = topics[0]
    assert top.phrase == "燃气味"
    assert (top.window_start, top.window_end) == WINDOW
    assert top.observed == 15 and set(top.appeal_ids) == gas_ids
    assert top.expected < 1.0 and top.score > 10
    # its words ("燃气", "楼道") are carried by the same appeals: one topic, not five
    assert all(len(set(t.appeal_ids) & gas_ids) < 8 for t in topics[1:])


def test_steady_and_generic_words_are_not_topics():
    topics = emerging_topics(_city(), *WINDOW)
    phrases = {topic.phrase for topic in topics}
    # 路灯, 噪音, 垃圾 come every day at the same rate; 小区 and 尽快 are in every other appeal
    assert not phrases & {"路灯", "噪音", "垃圾", "小区", "尽快", "处理", "停车位"}


def test_a_word_common_before_is_no_burst():
    """Gas smelt as often before the window as in it: nothing emerges."""
    rows = _city(gas_before=0)
    rng = random.Random(9)
    before = [
        (
            len(rows) + k,
            START + timedelta(days=rng.randrange(118)),
            GAS[k % 4].format(road="光明街", n=k),
        )
        for k in range(15 * 59)
    ]
    topics = emerging_topics(rows + before, *WINDOW)
    assert "燃气味" not in {topic.phrase for topic in topics}


def test_terms_are_words_and_adjacent_pairs_without_stop_words():
    terms = terms_of("我家楼道里有很浓的燃气味，担心燃气泄漏，请尽快处理")
    assert {"燃气味", "燃气", "泄漏", "燃气泄漏"} <= terms
    assert not terms & {"的", "请", "尽快", "处理", "我家", "的燃气"}


def test_an_empty_window_or_a_reversed_one():
    assert emerging_topics([], *WINDOW) == []
    with pytest.raises(ValueError):
        emerging_topics([], WINDOW[1], WINDOW[0])
