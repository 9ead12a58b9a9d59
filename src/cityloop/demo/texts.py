"""Composing the demo city's appeal texts and the units' replies from the profiles."""

from __future__ import annotations

import random
import re
from typing import Any

from cityloop.demo.text_profiles import PROFILES, Profile

CATEGORY_PROFILES: tuple[Profile, ...] = PROFILES

GENERIC_DONE = (
    "经核实，反映情况属实。我单位已于{date}安排工作人员到现场处理，问题已解决，并已电话告知诉求人。",
    "接到诉求后，我单位立即联系诉求人了解情况，{date}组织相关人员完成整改，目前已恢复正常。",
    "经现场核查，已责令相关责任方于{date}前完成整改，我单位将持续跟踪监督，确保问题不再反复。",
)
GENERIC_OPEN = (
    "经核实，该问题涉及多个部门和历史遗留原因，暂时无法解决。我单位已将其列入明年改造计划，"
    "届时将优先处理，并已向诉求人做好解释。",
    "经调查，诉求人反映的问题属于民事纠纷，建议通过法律途径解决，我单位已告知相关法律依据和办理渠道。",
    "该问题需要协调产权单位出资维修，目前正在协调中，我单位将督促相关单位尽快落实。",
)


def seasonal_weight(profile: Profile, month: int, weekday: int) -> float:
    return profile.weight * profile.monthly_factor[month - 1] * profile.weekday_factor[weekday]


def _slots(rng: random.Random, address: Any) -> dict[str, str]:
    community = ""
    if address is not None:
        text = address.full_text
        community = (address.landmark if address.landmark.endswith("小区") else "") or (
            address.road + "附近小区"
        )
    else:
        text = "我家附近"
    return {
        "address": text,
        "road": address.road if address is not None else "附近道路",
        "community": community or "我们小区",
        "landmark": (address.landmark if address is not None and address.landmark else "路口"),
        "days": str(rng.choice([2, 3, 3, 4, 5, 7, 10, 15])),
        "time": rng.choice(["早上六点", "上午九点", "中午", "下午三点", "晚上八点", "昨天夜里"]),
        "late_hour": rng.choice(["一点", "两点", "三点"]),
        "early_hour": rng.choice(["五点", "六点", "七点"]),
        "floor": str(rng.randint(2, 28)),
        "amount": str(rng.choice([300, 500, 800, 1200, 2000, 3500, 5000, 12000, 28000])),
        "temp": str(rng.randint(10, 16)),
    }


_SLOT = re.compile(r"\{[a-z_]+\}")
_BREAK = re.compile(r"[\s，。！？、,.!?：:；;“”\"'（）()|0-9]")


def _words(text: str) -> set[str]:
    """The character pairs of a text (slots and punctuation break it), a cheap stand-in for
    its words."""
    text = _BREAK.sub("|", _SLOT.sub("|", text))
    return {text[i : i + 2] for i in range(len(text) - 1) if "|" not in text[i : i + 2]}


def title_for(profile: Profile, template: str) -> str:
    """The profile's title that says what this text says: most words in common, then
    fewest words the text does not have (a title is never drawn apart from its text)."""
    words = _words(template)
    return max(
        profile.titles,
        key=lambda title: (len(_words(title) & words), -len(_words(title) - words)),
    )


def compose_appeal(
    rng: random.Random, profile: Profile, address: Any, emergency: bool
) -> tuple[str, str]:
    slots = _slots(rng, address)
    pool = (
        profile.emergency_contents
        if emergency and profile.emergency_contents
        else (profile.contents)
    )
    template = rng.choice(pool)
    content = template.format(**slots)
    title = title_for(profile, template)
    if emergency:
        title = "【紧急】" + title
    if rng.random() < 0.3:
        content += rng.choice(
            ["希望尽快解决。", "请相关部门重视。", "这个问题已经反映过多次了！", "谢谢！", "盼复。"]
        )
    return title, content


def compose_reply(rng: random.Random, profile: Profile, resolved: bool) -> str:
    pool = (
        (profile.replies_done or GENERIC_DONE)
        if resolved
        else (profile.replies_open or GENERIC_OPEN)
    )
    date = f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日"
    return rng.choice(pool).format(date=date)
