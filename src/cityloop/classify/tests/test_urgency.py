"""Emergencies get flagged with their reasons; ordinary appeals and negations do not."""

from __future__ import annotations

from datetime import date

import pytest

from cityloop.classify.urgency import detect_urgency

WINTER, SUMMER = date(2026, 1, 10), date(2026, 7, 10)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("3号楼楼道里燃气味很浓，好几家都闻到了", "疑似燃气泄漏"),
        ("光华路路面水管爆裂，水涌到马路上", "供水管道爆裂"),
        ("电线杆倒了，电线掉在人行道上还冒火花", "触电危险"),
        ("电梯突然停了，里面困了人", "人员被困"),
        ("小区门口井盖丢了，晚上看不见", "井盖缺失"),
        ("路口红绿灯全灭，车辆抢行", "路口信号灯失灵"),
        ("楼下饭馆冒烟，好像着火了", "火情或冒烟"),
    ],
)
def test_dangers_are_flagged_with_their_reason(text, reason):
    result = detect_urgency(text, SUMMER)
    assert result.is_emergency
    assert any(r.startswith(reason) for r in result.reasons), result.reasons


def test_no_heating_for_the_elderly_is_urgent_in_winter_only():
    text = "家里独居老人，暖气突然全停了，室温只有12度"
    assert detect_urgency(text, WINTER).is_emergency
    assert not detect_urgency(text, SUMMER).is_emergency
    assert not detect_urgency("暖气不热，室温只有16度", WINTER).is_emergency


@pytest.mark.parametrize(
    "text",
    ["楼上装修噪音太大", "已经没有燃气味了，但想确认一下安全", "物业不作为，楼道没人打扫", ""],
)
def test_ordinary_appeals_and_negations_are_not_flagged(text):
    assert not detect_urgency(text, WINTER).is_emergency
