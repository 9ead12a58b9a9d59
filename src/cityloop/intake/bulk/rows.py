"""One row of an import file read into what the appeal will be, or the reasons it cannot:
every problem of the row is named (in the user's language), not only the first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cityloop.appeals.enums import AppealType, Satisfaction
from cityloop.intake.fallback import PlaceFound
from cityloop.intake.services import PHONE_PATTERN
from cityloop.kernel import clock
from cityloop.org.models import Unit
from cityloop.sla.models import SlaPolicy, Urgency
from cityloop.sla.services import choose_policy
from cityloop.taxonomy.models import Category
from cityloop.taxonomy.services import PATH_SEPARATOR

TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y年%m月%d日",
)
YES = {"是", "y", "yes", "true", "1", "已联系", "已解决"}
NO = {"否", "n", "no", "false", "0", "未联系", "未解决"}


def _choice_words(choices: type) -> dict[str, str]:
    """A TextChoices' values and Chinese labels, both meaning the value."""
    words: dict[str, str] = {}
    for value, label in choices.choices:  # type: ignore[attr-defined]
        words[str(value).lower()] = value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                words.setdefault(str(label), value)
    return words


@dataclass
class ParsedRow:
    number: int
    external_id: str
    received_at: datetime
    title: str
    content: str
    caller_name: str
    caller_phone: str
    address: str
    category: Category | None
    appeal_type: str
    urgency: str
    unit: Unit | None
    replied_at: datetime | None
    reply_text: str
    evaluated_at: datetime | None
    contacted: bool | None
    resolved: bool | None
    satisfaction: str
    closed_at: datetime | None

    @property
    def evaluated(self) -> bool:
        return self.evaluated_at is not None


@dataclass
class Rejected:
    number: int
    external_id: str
    reasons: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        # the reasons were written in the language of the import; so is the separator
        return _("；").join(self.reasons)


class Lookups:
    """The categories and units a file names, read once for the whole import."""

    def __init__(self) -> None:
        self.categories: dict[str, Category] = {}
        names: dict[str, list[Category]] = {}
        for category in Category.objects.filter(is_active=True):
            self.categories[category.code] = category
            self.categories[category.path] = category
            names.setdefault(category.name, []).append(category)
        for name, found in names.items():
            if len(found) == 1:  # a name used twice in the tree says nothing
                self.categories.setdefault(name, found[0])
        self.units: dict[str, Unit] = {}
        for unit in Unit.objects.all():
            self.units[unit.code] = unit
            self.units.setdefault(unit.name, unit)
        self.types = _choice_words(AppealType)
        self.urgencies = _choice_words(Urgency)
        self.satisfactions = _choice_words(Satisfaction)
        self.policies: dict[tuple[int | None, str], SlaPolicy] = {}
        self.places: dict[str, PlaceFound] = {}  # address column → where it is

    def policy(self, category: Category | None, urgency: str) -> SlaPolicy:
        """The time limits the rules give the appeal (an imported one is never 复杂)."""
        key = (category.pk if category else None, urgency)
        if key not in self.policies:
            self.policies[key] = choose_policy(category, urgency, False)
        return self.policies[key]

    def category(self, text: str) -> Category | None:
        key = text.strip()
        found = self.categories.get(key)
        if found is None and "/" in key:  # a path written with plain slashes
            found = self.categories.get(PATH_SEPARATOR.join(p.strip() for p in key.split("/")))
        return found


def parse_time(text: str) -> datetime | None:
    """A local wall-clock time (the city's), or an ISO time with its own offset."""
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    for pattern in TIME_FORMATS:
        if moment is not None:
            break
        try:
            moment = datetime.strptime(text, pattern)
        except ValueError:
            continue
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    return moment


def parse_row(number: int, cells: dict[str, str], lookups: Lookups) -> ParsedRow | Rejected:
    problems: list[str] = []
    now = clock.now()

    def time_of(key: str, label: str, required: bool = False) -> datetime | None:
        text = cells.get(key, "")
        if not text:
            if required:
                problems.append(_("缺少%(label)s") % {"label": label})
            return None
        moment = parse_time(text)
        if moment is None:
            problems.append(_("%(label)s无法识别：%(value)s") % {"label": label, "value": text})
        elif moment > now:
            problems.append(_("%(label)s晚于当前时间：%(value)s") % {"label": label, "value": text})
            return None
        return moment

    def flag(key: str, label: str) -> bool | None:
        text = cells.get(key, "").strip().lower()
        if not text:
            return None
        if text in YES:
            return True
        if text in NO:
            return False
        problems.append(_("%(label)s应为“是”或“否”：%(value)s") % {"label": label, "value": text})
        return None

    def word(key: str, words: dict[str, str], label: str, default: str) -> str:
        text = cells.get(key, "").strip()
        if not text:
            return default
        value = words.get(text) or words.get(text.lower())
        if value is None:
            problems.append(_("未知的%(label)s：%(value)s") % {"label": label, "value": text})
            return default
        return value

    received = time_of("received_at", _("受理时间"), required=True)
    replied = time_of("replied_at", _("办结时间"))
    evaluated = time_of("evaluated_at", _("回访时间"))
    closed = time_of("closed_at", _("关闭时间"))
    content = cells.get("content", "").strip()
    title = cells.get("title", "").strip() or content[:30]
    phone = cells.get("caller_phone", "").strip()
    if not content:
        problems.append(_("缺少诉求内容"))
    if len(content) > 5000:
        problems.append(_("诉求内容不能超过 5000 字"))
    if len(title) > 200:
        problems.append(_("标题不能超过 200 字"))
    if len(cells.get("address", "")) > 200:
        problems.append(_("事发地址不能超过 200 字"))
    if len(cells.get("caller_name", "")) > 50:
        problems.append(_("诉求人姓名不能超过 50 字"))
    if phone and not PHONE_PATTERN.match(phone):
        problems.append(_("联系电话格式不正确：%(value)s") % {"value": phone})
    category = None
    if cells.get("category"):
        category = lookups.category(cells["category"])
        if category is None:
            problems.append(_("分类不存在：%(value)s") % {"value": cells["category"]})
    unit = None
    if cells.get("unit"):
        unit = lookups.units.get(cells["unit"].strip())
        if unit is None:
            problems.append(_("承办单位不存在：%(value)s") % {"value": cells["unit"]})
    appeal_type = word("appeal_type", lookups.types, _("诉求类型"), AppealType.HELP)
    urgency = word("urgency", lookups.urgencies, _("紧急程度"), Urgency.NORMAL)
    satisfaction = word("satisfaction", lookups.satisfactions, _("满意度"), "")
    contacted = flag("contacted", _("是否联系"))
    resolved = flag("resolved", _("是否解决"))
    rated = bool(satisfaction) or resolved is not None or contacted is not None
    if rated and contacted is None:
        contacted = True  # the citizen answered the callback, so they were reached
    if rated and evaluated is None:
        evaluated = closed or replied
    if not rated and evaluated is not None:
        problems.append(_("有回访时间却没有回访结果（满意度、是否解决或是否联系）"))
    if replied is not None and not cells.get("unit"):
        problems.append(_("有办结时间却没有承办单位"))
    if rated and replied is None:
        problems.append(_("有回访评价却没有办结时间"))
    if closed is not None and replied is None:
        problems.append(_("有关闭时间却没有办结时间"))
    order = [
        (received, _("受理时间")),
        (replied, _("办结时间")),
        (evaluated, _("回访时间")),
        (closed, _("关闭时间")),
    ]
    known = [(moment, label) for moment, label in order if moment is not None]
    for (earlier, first), (later, second) in pairwise(known):
        if later < earlier:
            problems.append(_("%(second)s早于%(first)s") % {"second": second, "first": first})
    external_id = cells.get("external_id", "").strip()
    if len(external_id) > 100:
        problems.append(_("工单编号不能超过 100 字"))
    if problems or received is None:
        return Rejected(number, external_id[:100], problems)
    return ParsedRow(
        number=number,
        external_id=external_id,
        received_at=received,
        title=title,
        content=content,
        caller_name=cells.get("caller_name", "").strip(),
        caller_phone=phone,
        address=cells.get("address", "").strip(),
        category=category,
        appeal_type=appeal_type,
        urgency=urgency,
        unit=unit,
        replied_at=replied,
        reply_text=cells.get("reply_text", "").strip(),
        evaluated_at=evaluated if rated else None,
        contacted=contacted,
        resolved=resolved,
        satisfaction=satisfaction,
        closed_at=closed,
    )
