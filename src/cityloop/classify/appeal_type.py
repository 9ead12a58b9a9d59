"""诉求类型 from the words of the appeal, when intake was not told: a keyword rule, no model.

The values are the `appeals.enums.AppealType` values (classify sits below appeals and does
not import it). Order matters: "举报" in a text is a report whatever else it says."""

from __future__ import annotations

import re

RULES: list[tuple[str, re.Pattern[str]]] = [
    ("report", re.compile(r"举报|检举")),
    ("praise", re.compile(r"表扬|点赞|锦旗|致谢")),
    ("complaint", re.compile(r"投诉")),
    ("suggestion", re.compile(r"^建议|我(有个|想提个?)?建议|提(个|一个|点)?建议|提议")),
    ("consultation", re.compile(r"咨询|请问|怎么办理|如何办理|在哪里办|需要什么材料")),
]
DEFAULT = "help"


def suggest_appeal_type(text: str) -> str:
    for kind, words in RULES:
        if words.search(text):
            return kind
    return DEFAULT
