"""Urgency: spotting appeals that need the 2-hour emergency policy, with the reasons shown.

Rules, not a model: an emergency must be explainable to the call-taker in one line, and the
cost of a miss (a gas leak handled in 7 working days) is far higher than of a false alarm,
which a person downgrades in seconds. Each rule is a danger pattern; a negation right before
the match ("没有燃气味") cancels it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

NEGATION = re.compile(r"(没有|没|无|未|不再|并无|已经不)[^，。！？,.!?]{0,3}$")


@dataclass(frozen=True)
class DangerRule:
    reason: str
    pattern: re.Pattern[str]
    winter_only: bool = False
    requires: re.Pattern[str] | None = None  # a second condition anywhere in the text


RULES: tuple[DangerRule, ...] = (
    DangerRule(
        "疑似燃气泄漏",
        re.compile(r"燃气味|煤气味|天然气味|漏气|燃气泄漏|液化气味|闻到.{0,4}气味很(浓|大)"),
    ),
    # a fire hazard (火灾隐患) is a safety case with the ordinary deadline, not a fire
    DangerRule(
        "火情或冒烟",
        re.compile(r"(着火|起火|失火|火灾|冒烟|冒火花|烧起来|焦糊味)(?!隐患|风险|的?可能)"),
    ),
    DangerRule(
        "供水管道爆裂",
        re.compile(r"水管(爆裂|爆了|崩裂)|爆管|管道爆裂|水涌|喷水|淹到|地下室.{0,3}淹"),
    ),
    DangerRule("触电危险", re.compile(r"电线(掉|垂|落|断)|漏电|触电|带电|配电箱.{0,4}(冒|响|烧)")),
    DangerRule("人员被困", re.compile(r"被困|困在|困了人|关在电梯|卡在电梯")),
    DangerRule(
        "坍塌或坠落风险",
        re.compile(r"塌陷|坍塌|倒塌|要塌|掉下来|脱落|倒了.{0,6}(压|挡)|大树.{0,4}(倒|压)"),
    ),
    DangerRule(
        "井盖缺失或松动",
        re.compile(r"井盖.{0,2}(丢|没了|缺失|被偷|破损|移位|松动|翘起)|掉进.{0,3}井"),
    ),
    DangerRule("路口信号灯失灵", re.compile(r"(红绿灯|信号灯)(全灭|全部不亮|失灵)")),
    DangerRule("严重积水", re.compile(r"积水很深|淹熄火|车.{0,3}被淹|没过膝")),
    DangerRule("人身安全威胁", re.compile(r"打人|持刀|砍人|殴打|威胁.{0,4}生命|自杀|轻生")),
    DangerRule(
        "冬季老人或病人无供暖",
        # heating that is merely weak gets the 24-hour utility policy; heating that is off
        # where someone frail lives is an emergency
        re.compile(r"暖气.{0,4}(停了|全停|没有了|冰凉|不供)|没有暖气|停暖"),
        winter_only=True,
        requires=re.compile(r"独居|瘫痪|卧床|病人|心脏病|生病|婴儿|新生儿|孕妇|老人.{0,6}(冻|病)"),
    ),
)
URGENT_WORDS = re.compile(r"紧急|马上|立即|赶紧|危险|救命")
HEATING_MONTHS = {11, 12, 1, 2, 3}


@dataclass(frozen=True)
class Urgency:
    is_emergency: bool
    reasons: list[str] = field(default_factory=list)
    urgent_tone: bool = False


def _negated(text: str, start: int) -> bool:
    return bool(NEGATION.search(text[max(0, start - 6) : start]))


def detect_urgency(text: str, on: date | None = None) -> Urgency:
    month = on.month if on else None
    reasons: list[str] = []
    for rule in RULES:
        if rule.winter_only and month is not None and month not in HEATING_MONTHS:
            continue
        if rule.requires is not None and not rule.requires.search(text):
            continue
        for found in rule.pattern.finditer(text):
            if not _negated(text, found.start()):
                reasons.append(f"{rule.reason}（“{found.group()}”）")
                break
    return Urgency(bool(reasons), reasons, bool(URGENT_WORDS.search(text)))
