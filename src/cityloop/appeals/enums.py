"""The vocabulary of an appeal's life. See docs/glossary.md for the Chinese terms."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PHONE = "phone", _("电话（话务员）")
    WEB = "web", _("网站/移动端")
    API = "api", _("API 接口")
    OPEN311 = "open311", _("Open311 外部系统")
    GRID_PATROL = "grid_patrol", _("网格员巡查")
    SENSOR = "sensor", _("物联感知告警")
    BULK_IMPORT = "bulk_import", _("批量导入")
    PROACTIVE = "proactive", _("主动治理")


# Channels whose appeals have no citizen behind them — the centre's own work orders, a
# device's alarm, a grid worker's find: nobody to call back, so never in the three rates.
NO_CALLER_CHANNELS = frozenset({Channel.PROACTIVE, Channel.SENSOR, Channel.GRID_PATROL})


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
    # block mode of the reply gate: a weak reply waits for a supervisor before it counts
    REPLY_REVIEW = "reply_review", _("答复待审核")
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
        Status.REPLY_REVIEW,
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


class AppealType(models.TextChoices):
    """诉求类型. Rows from before the field existed are 求助 (help): the loop handled every
    appeal as a request for help, to be resolved and rated."""

    COMPLAINT = "complaint", _("投诉")
    HELP = "help", _("求助")
    CONSULTATION = "consultation", _("咨询")
    SUGGESTION = "suggestion", _("建议")
    REPORT = "report", _("举报")
    PRAISE = "praise", _("表扬")


# A suggestion is answered, not resolved: its callback asks satisfaction only and the
# resolution rate (解决率) leaves it out.
NOT_RATED_ON_RESOLUTION = frozenset({AppealType.SUGGESTION})


class Outcome(models.TextChoices):
    """How a closed appeal ended, set once by the transition that closes it. 挂账 is not an
    outcome: a deferred appeal is still open (status `deferred`, with its planned date)."""

    RESOLVED = "resolved", _("已解决")
    UNRESOLVED = "unresolved", _("办结未解决")
    REPLIED = "replied", _("已答复（未评价解决情况）")
    ANSWERED_ON_CALL = "answered_on_call", _("当场解答")
    THANKED = "thanked", _("已致谢（表扬）")


class ReplyGate(models.TextChoices):
    """What a weak reply (the reply check's verdict) meets: settings.CITYLOOP_REPLY_GATE."""

    WARN = "warn", _("提示：照常办结，标记待复核")
    CONFIRM = "confirm", _("确认：须填写理由方可发送")
    BLOCK = "block", _("拦截：督办审核通过后才算办结")


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
