"""答复质量: does a unit's reply answer the appeal? Checked before the reply closes it.

Four questions a supervisor asks of a reply, each scored 0–1 and explained in Chinese:
relevance (it talks about what the citizen raised), action (it says what was done), basis or
next step (it cites a rule, or says what happens next), and not a boilerplate non-answer
("留言已收悉，已转相关部门处理"). Greeting and closing formulas are stripped first so they
neither help nor hurt. The phrase lists were read off the real replies in
../shared/data/appeals_cn/messages_with_replies.csv; benchmarks/reply_check_eval.py measures
the check on them. Pure Python and fast: it runs inside the reply transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FORMULAS = re.compile(
    r"(网友[“\"]?[^：:，,]{0,20}[”\"]?[：:，,]?\s*)?您好[！!，,。]?|"
    r"(您的)?(留言|来信|来电)(已)?收悉[！!，,。]?|感谢您对[^。！!]{0,30}(支持|关心|信任)[。！!]?|"
    r"现(将有关情况|回复如下|答复如下)[^：:]{0,20}[：:]|特此(回复|答复)[。！!]?|谢谢[！!。]?|"
    r"(此复|祝您?[^。！!]{0,10})[。！!]?"
)
ACTION = re.compile(
    r"经[^，。,]{0,20}(核实|调查|查明|了解|研究|现场)|立即组织|已(于|经|安排|派|组织|完成|修复|更换|清理|整改|处理|协调|责令|督促|"
    r"联系|约谈|立案|下达|恢复|疏通|拆除|补发|退还|解决)|现场(查看|核查|勘察|处理)|整改|维修|"
    r"约谈|责令|处罚|罚款|立案|清运|疏通|更换|调解|协调|到场|上门"
)
BASIS = re.compile(
    r"根据|依据|按照|依照|《[^》]{2,40}》|规定|政策|条例|办法|标准|下一步|将(继续|进一步|加强|于|在)|"
    r"计划|预计|建议(您|网友)?|如(有|仍有|您还有)[^。]{0,10}(疑问|问题)|可(拨打|致电|联系|向)|咨询电话|"
    r"联系电话|\d{3,4}-?\d{7,8}"
)
BOILERPLATE = (
    "已转相关部门",
    "转相关部门进行处理",
    "敬请关注后续回复",
    "已转交相关单位",
    "已转",
    "调查处理",
    "正在调查处理",
    "将尽快处理",
    "高度重视",
    "已收悉",
)
STOP_CHARS = set("的了是在我们你您他她它和与及或也都就还而且但并很对把被让给从向到这那有没不")
_CLEAN = re.compile(r"[\s　，。！？、,.!?：:；;“”\"'（）()《》【】\-—…·]")

WEIGHTS = {"relevance": 0.35, "action": 0.3, "basis": 0.2, "length": 0.15}
PASS_SCORE = 0.55  # below it, or with a boilerplate verdict, the reply goes to a supervisor
RELEVANCE_FLOOR = 0.2  # a reply that shares almost nothing with the appeal never passes
MIN_CHARS = 40


@dataclass(frozen=True)
class ReplyCheck:
    score: float
    ok: bool
    relevance: float
    action: float
    basis_or_next_step: float
    boilerplate: bool
    length: int
    reasons: list[str] = field(default_factory=list)


def _bigrams(text: str) -> set[str]:
    text = _CLEAN.sub("", text)
    return {
        text[i : i + 2]
        for i in range(len(text) - 1)
        if not (text[i] in STOP_CHARS and text[i + 1] in STOP_CHARS)
    }


def strip_formulas(reply: str) -> str:
    return FORMULAS.sub("", reply).strip()


def relevance(appeal_text: str, reply: str) -> float:
    """Share of the appeal's content bigrams the reply takes up, scaled so that a specific
    reply (which repeats the place and the problem) reaches 1."""
    asked, answered = _bigrams(appeal_text), _bigrams(reply)
    if not asked or not answered:
        return 0.0
    return min(1.0, len(asked & answered) / min(len(asked), 60) * 4)


def check_reply(appeal_text: str, reply_text: str) -> ReplyCheck:
    body = strip_formulas(reply_text or "")
    length = len(_CLEAN.sub("", body))
    related = relevance(appeal_text, body)
    actions = len(ACTION.findall(body))
    bases = len(BASIS.findall(body))
    # A policy question is answered by explaining the policy: a well-founded explanation
    # counts as the action when nothing had to be done on the ground.
    explained = actions == 0 and bases >= 2 and length >= 150
    action_score = 0.7 if explained else min(1.0, actions / 2)
    basis_score = min(1.0, bases / 1.5)
    length_score = min(1.0, length / 120)
    generic = length < 80 and actions == 0 and any(phrase in body for phrase in BOILERPLATE)
    score = (
        WEIGHTS["relevance"] * related
        + WEIGHTS["action"] * action_score
        + WEIGHTS["basis"] * basis_score
        + WEIGHTS["length"] * length_score
    )
    reasons = []
    if length < MIN_CHARS:
        reasons.append("答复过短")
    if generic:
        reasons.append("疑似模板化答复，缺少针对性")
    if related < 0.35:
        reasons.append("答复与诉求内容关联度低")
    if actions == 0 and not explained:
        reasons.append("未说明办理措施或结果")
    if bases == 0:
        reasons.append("未给出依据或下一步安排")
    ok = score >= PASS_SCORE and not generic and length >= MIN_CHARS and related >= RELEVANCE_FLOOR
    return ReplyCheck(
        round(score, 3), ok, round(related, 3), action_score, basis_score, generic, length, reasons
    )
