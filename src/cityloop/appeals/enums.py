"""The vocabulary of an appeal's life. See docs/glossary.md for the Chinese terms."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PHONE = "phone", _("电话（话务员）")
    WEB = "web", _("网站/移动端")
    API = "api", _("API 接口")
    GRID_PATROL = "grid_patrol", _("网格员巡查")
    SENSOR = "sensor", _("物联感知告警")
    BULK_IMPORT = "bulk_import", _("批量导入")


class Placement(models.TextChoices):
    """How the appeal's place was found, finest first: the level the placing reached."""

    ADDRESS = "address", _("标准地址")
    POINT = "point", _("地图选点")
    ROAD = "road", _("道路/地标")
    STREET = "street", _("街道/乡镇名")
    DISTRICT = "district", _("区名")
    CITY = "city", _("市级兜底")
    MANUAL = "manual", _("人工定位")


class Status(models.TextChoices):
    RECEIVED = "received", _("已受理")
    DISPATCHED = "dispatched", _("已派单")
    SIGNED = "signed", _("已签收")
    IN_PROGRESS = "in_progress", _("办理中")
    SENT_BACK = "sent_back", _("已退单")
    DEFERRED = "deferred", _("挂账")
    REPLIED = "replied", _("已办结")
    EVALUATED = "evaluated", _("已评价")
    CLOSED = "closed", _("已关闭")
    MERGED = "merged", _("已合并")


# The status sets, defined once; everything else (transitions, scans, pages) uses these.
# Open: not yet answered, merged or closed.
OPEN_STATUSES = frozenset(
    {
        Status.RECEIVED,
        Status.DISPATCHED,
        Status.SIGNED,
        Status.IN_PROGRESS,
        Status.SENT_BACK,
        Status.DEFERRED,
    }
)
# Waiting for a dispatcher to choose a unit (the dispatcher queue).
WAITING_FOR_DISPATCH = frozenset({Status.RECEIVED, Status.SENT_BACK})
# Statuses in which a unit holds the appeal and its reply clock runs (超期 is judged here).
HANDLING_STATUSES = frozenset({Status.DISPATCHED, Status.SIGNED, Status.IN_PROGRESS})
# A unit holds the appeal: handling, or deferred (挂账, followed up at its planned date).
HELD_BY_UNIT_STATUSES = HANDLING_STATUSES | {Status.DEFERRED}
# Not finished for the citizen: open, or answered and waiting for the evaluation.
UNFINISHED_STATUSES = OPEN_STATUSES | {Status.REPLIED}


def in_status_order(statuses: frozenset[str]) -> list[Status]:
    """A status set in the order of an appeal's life (for tables and tabs)."""
    return [status for status in Status if status in statuses]


class AssignmentRole(models.TextChoices):
    MAIN = "main", _("主办")
    ASSIST = "assist", _("协办")


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("待签收")
    SIGNED = "signed", _("已签收")
    REPLIED = "replied", _("已反馈")
    SENT_BACK = "sent_back", _("已退单")
    WITHDRAWN = "withdrawn", _("已撤回")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class DecisionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REJECTED = "rejected", _("已驳回")


class SupervisionStatus(models.TextChoices):
    OPEN = "open", _("督办中")
    ANSWERED = "answered", _("已反馈")
    CLOSED = "closed", _("已结束")
