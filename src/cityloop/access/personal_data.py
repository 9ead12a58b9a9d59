"""The personal-data policy (个人信息保护): what counts as personal data and how it is masked
before text leaves the staff who need it (public pages, the public API, analysts' pages and
exports).

Personal data here is: a person's name (the caller's, a neighbour's, an officer's), phone
numbers (mobiles, landlines, extensions, written with spaces, dashes, full-width digits or
+86 / 0086), ID numbers, e-mail addresses and QQ / WeChat accounts, and the exact home
address (house number, building, unit, floor, room). Roads, streets, districts, units,
categories, dates, times and tracking codes are not personal data and stay.

`public_text` is applied ONCE, when text is written (appeals.public_text stores its result
next to the original); pages read the stored public version. Masked characters become "*"
so a reader sees that something was there, and every digit of a phone is hidden: the last
four digits of the caller's phone are what a citizen proves their identity with.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cityloop.access.actors import Actor

MASK = "*"

# Full-width and typographic variants of the characters the patterns look for, mapped one
# to one so that positions found in the normalised copy are positions in the original.
_NORMALISE = str.maketrans(
    "０１２３４５６７８９＋－（）　ＸｘＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＹＺ＠．—–‐",
    "0123456789+-() XxABCDEFGHIJKLMNOPQRSTUVWYZ@.---",
)

_SEP = r"[ \t\-.]?"  # one optional separator between digits: "138 0013 8000", "138-0013-8000"

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_ACCOUNT = re.compile(r"(?:QQ|qq|微信号?|VX|vx|wx)\s*[:：]?\s*[A-Za-z0-9_\-]{5,20}")
_ID_NUMBER = re.compile(
    rf"(?<![0-9A-Za-z])[1-9]\d{{5}}{_SEP}\d{{4}}{_SEP}\d{{4}}{_SEP}\d{{3}}[0-9Xx](?![0-9A-Za-z])"
    r"|(?<![0-9A-Za-z])[1-9]\d{14}(?![0-9A-Za-z])"
)
_MOBILE = re.compile(
    rf"(?<![\d+])(?:(?:\+|00)?\s?86\s?[\-]?\s?|\(\+?86\)\s?)?1[3-9]\d(?:{_SEP}\d){{8}}(?!\d)"
)
_EXTENSION = r"(?:\s*(?:转|分机|ext\.?|-)\s*\d{1,6})?"
_LANDLINE_WITH_AREA = re.compile(
    rf"(?<![\dA-Za-z])(?:\(0\d{{2,3}}\)|0\d{{2,3}})\s?-?\s?[2-9]\d{{2,3}}{_SEP}\d{{4}}{_EXTENSION}(?!\d)"
)
_LANDLINE_LOCAL = re.compile(rf"(?<![\dA-Za-z.])[2-9]\d{{2,3}}[ \-]?\d{{4}}{_EXTENSION}(?![\d.])")
# A bare 7–8 digit number followed by one of these is a quantity, not a phone number.
_QUANTITY_AFTER = re.compile(
    r"\s*(?:元|块|米|平|个|人|户|次|件|号|年|月|日|天|小时|分|秒|辆|吨|斤|公里|千|万|亿|%|℃|度|岁|"
    r"栋|层|楼|室|株|棵|条|kg|km|m|KB|MB)"
)
_LONG_DIGITS = re.compile(r"(?<![\dA-Za-z])\d(?:[ \-]?\d){10,}(?![\dA-Za-z])")

_NUMERAL = r"(?:\d+|[一二三四五六七八九十两]+)"
_PART = r"(?:号院|号楼|号门|栋|幢|座|单元|层|楼|室|号(?![线口路文件]))"
# An exact home address: a house number, building, unit, floor and room together
# ("3号楼2单元301室", "12号院4号楼", "5栋1单元702"), a room ("301室", "B座1203"), or a
# single part after "住/家住/我家" ("住六号楼"). A number alone ("8楼骨科", "18层的高层住宅",
# "地铁3号线", "6号文件", "12月1号") is a fact of the case and stays.
# A building inside a residential compound ("幸福小区5号楼") is a home address too.
_IN_COMPOUND = (
    "(?:"
    + "|".join(f"(?<={w})" for w in ("小区", "家园", "花园", "公寓", "宿舍", "大院", "苑", "里"))
    + ")"
)
_HOUSE = re.compile(
    rf"(?<![\d月])(?:{_NUMERAL}\s*{_PART}\s*){{2,}}(?:\d{{2,5}}(?:室|房|号)?)?"
    rf"|(?<![\d月])(?:{_NUMERAL}\s*(?:号院|号楼|栋|幢|座|单元)\s*)\d{{2,5}}(?:室|房|号)?"
    rf"|(?<=住)(?:在|的是|)\s*(?:{_NUMERAL}\s*{_PART}\s*)+(?:\d{{2,5}}(?:室|房|号)?)?"
    rf"|(?<=家)(?:住|在|是)?\s*(?:{_NUMERAL}\s*{_PART}\s*)+(?:\d{{2,5}}(?:室|房|号)?)?"
    rf"|{_IN_COMPOUND}\s*(?:{_NUMERAL}\s*(?:号院|号楼|栋|幢|座|单元)\s*)+(?:\d{{2,5}}(?:室|房|号)?)?"
    r"|(?<![A-Za-z])[A-Za-z]座\s*\d{2,5}(?:室|房|号)?"
    r"|(?<!\d)\d{3,5}\s*(?:室|房间|号房)"
)

# Common surnames. Characters that are mostly ordinary words in appeals (区 in 社区, 安 in
# 保安, 管 in 城管, 卫 in 门卫, 时, 单, 向, 成, 文 …) are left out: masking them would hide
# the facts of the case, and a name after a cue or a title is still caught by the others.
_SURNAMES_COMPOUND = (
    "欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|令狐|长孙|宇文|司徒|夏侯|端木|南宫"
)
_SURNAMES_SINGLE = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖萧田董潘袁蔡蒋余杜"
    "叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方邹熊白孟秦邱侯江尹薛闫严段雷黎史"
    "龙陶贺顾毛郝龚邵万钱覃武戴孔汤庞樊殷施洪翟颜倪牛温季俞章鲁葛伍申尤毕聂柴焦柳邢骆岳齐"
    "梅莫庄辛祝左涂谷易包康常于郎甘欧荣阎"
)
_SURNAME = rf"(?:{_SURNAMES_COMPOUND}|[{_SURNAMES_SINGLE}])"
_HAN = r"[\u4e00-\u9fff]"
# Characters that are not part of a given name: they end it ("我叫张伟住在…", "李明反映…").
_NOT_IN_NAME = (
    "住在家的是电手联反来今于要想说因从和与及向对把被给请已了所等也都就还又称表示致投举询咨"
    "先女师阿老同"
)

_TITLES = (
    "先生|女士|小姐|师傅|阿姨|大爷|大妈|大姐|大哥|老师|经理|主任|书记|队长|同志|奶奶|爷爷|"
    "警官|科长|处长|局长|站长|所长|部长|厅长|市长|县长|院长|镇长|乡长|校长|董事长|行长|厂长|"
    "律师|法官|教授|医生|护士|老人|阿婆"
)
# A title right after the surname ("王女士") is no given name: the title rule masks that one.
_GIVEN = rf"(?!{_TITLES})(?![{_NOT_IN_NAME}]){_HAN}(?:(?!{_TITLES})(?![{_NOT_IN_NAME}]){_HAN})?"
_CUES = (
    "我叫|我是|本人|姓名|名叫|叫做|联系人|诉求人|来电人|反映人|投诉人|举报人|当事人|市民|居民|"
    "业主|住户|租户|工作人员|负责人|经办人|承办人|网格员|社工|民警|片警|房东|邻居|司机|"
    "联系了|联系上|致电|告知"
)
_NAME_AFTER_CUE = re.compile(rf"(?:{_CUES})\s*[:：]?\s*(?P<name>{_SURNAME}{_GIVEN})")
_NAME_BEFORE_TITLE = re.compile(
    rf"(?P<name>{_SURNAME}(?:(?![一二三四五六七八九十个课{_NOT_IN_NAME}]){_HAN}){{0,2}}?)"
    rf"(?:{_TITLES})"
)
_SURNAME_AFTER_XING = re.compile(rf"(?<![百])姓\s*(?P<name>{_SURNAME})")


def _is_date(digits: str) -> bool:
    if len(digits) != 8 or digits[:2] not in ("19", "20"):
        return False
    try:
        date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return False
    return True


def _hide_alnum(text: str) -> str:
    return "".join(MASK if ch.isalnum() else ch for ch in text)


def _hide_numerals(text: str) -> str:
    return "".join(MASK if ch.isdigit() or ch in "一二三四五六七八九十两" else ch for ch in text)


Span = tuple[int, int, Callable[[str], str]]


def _spans(plain: str) -> list[Span]:
    spans: list[Span] = []

    def add(pattern: re.Pattern[str], hide: Callable[[str], str], group: str | int = 0) -> None:
        for m in pattern.finditer(plain):
            spans.append((m.start(group), m.end(group), hide))

    add(_EMAIL, _hide_alnum)
    for m in _ACCOUNT.finditer(plain):
        account = re.search(r"[A-Za-z0-9_\-]{5,20}$", m.group())
        if account:
            spans.append((m.start() + account.start(), m.end(), _hide_alnum))
    add(_ID_NUMBER, _hide_alnum)
    add(_MOBILE, _hide_alnum)
    add(_LANDLINE_WITH_AREA, _hide_alnum)
    for m in _LANDLINE_LOCAL.finditer(plain):
        digits = re.sub(r"\D", "", m.group())
        if _QUANTITY_AFTER.match(plain, m.end()) or _is_date(digits):
            continue
        spans.append((m.start(), m.end(), _hide_alnum))
    add(_LONG_DIGITS, _hide_alnum)
    add(_HOUSE, _hide_numerals)
    add(_NAME_AFTER_CUE, _hide_all, "name")
    add(_NAME_BEFORE_TITLE, _hide_all, "name")
    add(_SURNAME_AFTER_XING, _hide_all, "name")
    return spans


def _hide_all(text: str) -> str:
    return MASK * len(text)


# the demo writes the same step notes a million times; an appeal's own text is seen once or
# twice, and 65,536 of them would hold ~100 MB in every server worker
@lru_cache(maxsize=8192)
def _masked_by_rules(text: str) -> str:
    plain = text.translate(_NORMALISE)
    chars = list(text)
    for start, end, hide in _spans(plain):
        for offset, ch in enumerate(hide(plain[start:end])):
            if ch == MASK:
                chars[start + offset] = MASK
    return "".join(chars)


def public_text(text: str, *, names: Iterable[str] = ()) -> str:
    """The public version of free text: personal data masked, everything else kept.
    `names` are people's names known to the system (the caller's, the writer's) that are
    masked wherever they appear, whatever the words around them."""
    if not text:
        return ""
    masked = _masked_by_rules(text)
    for name in {n.strip() for n in names if n and len(n.strip()) >= 2}:
        masked = masked.replace(name, _hide_all(name))
    return masked


# 举报: the reporter is protected from the unit reported to (appeals.enums.AppealType.REPORT;
# access sits below appeals and names the value).
REPORTER_PROTECTED_TYPES = frozenset({"report"})


def sees_caller(actor: Actor, appeal_type: str) -> bool:
    """Whether the actor sees who the caller is (name, phone, ID number, and those written
    in the text): staff who handle cases do, except that on a report (举报) only the 12345
    centre and administrators do — a unit's staff never learn who reported, whatever else
    their role lets them see."""
    if not actor.sees_personal_data:
        return False
    return appeal_type not in REPORTER_PROTECTED_TYPES or actor.sees_everything


def hide_caller(text: str, *, name: str, phone: str) -> str:
    """`text` with the caller's own name and phone number masked wherever they appear."""
    for known in (name.strip(), phone.strip()):
        if len(known) >= 2:
            text = text.replace(known, _hide_all(known))
    return text


def mask_name(name: str) -> str:
    """A person's name as a field: the surname stays, "张*"."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + MASK * max(1, len(name) - 1)


def mask_phone(phone: str) -> str:
    """A phone number shown to staff who do not need it (the supervisor's repeat callers)."""
    digits = re.sub(r"\D", "", phone.translate(_NORMALISE))
    if len(digits) < 7:
        return MASK * len(digits)
    return f"{digits[:3]}{MASK * 4}{digits[-4:]}"
