"""The appeal (诉求) and the records that hang on it. Writes go through appeals.services only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityloop.appeals.enums import (
    AppealType,
    AssignmentRole,
    AssignmentStatus,
    Channel,
    Outcome,
    Placement,
    Status,
)
from cityloop.geo.models import Area, StandardAddress
from cityloop.org.models import Unit
from cityloop.sla.models import SlaPolicy, Urgency
from cityloop.taxonomy.models import Category


class Appeal(models.Model):
    tracking_code = models.CharField(_("查询码"), max_length=16, unique=True)
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    version = models.PositiveIntegerField(default=1, help_text="bumped by every change")
    appeal_type = models.CharField(
        _("诉求类型"), max_length=20, choices=AppealType.choices, default=AppealType.HELP
    )
    # set once, by the transition that closes the appeal; cleared when it is reopened
    outcome = models.CharField(
        _("办理结果类型"), max_length=20, choices=Outcome.choices, blank=True, db_index=True
    )

    title = models.CharField(_("标题"), max_length=200)
    content = models.TextField(_("诉求内容"))
    caller_name = models.CharField(_("诉求人"), max_length=50, blank=True)
    caller_phone = models.CharField(_("联系电话"), max_length=30, blank=True, db_index=True)
    caller_id_number = models.CharField(_("证件号码"), max_length=30, blank=True)
    address_text = models.CharField(_("事发地址"), max_length=200, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    standard_address = models.ForeignKey(
        StandardAddress, models.SET_NULL, null=True, blank=True, verbose_name=_("标准地址")
    )
    grid = models.ForeignKey(
        Area, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("网格")
    )
    street = models.ForeignKey(
        Area, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("街道")
    )
    district = models.ForeignKey(
        Area, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("区")
    )
    placement = models.CharField(
        _("定位方式"), max_length=10, choices=Placement.choices, blank=True, default=""
    )

    category = models.ForeignKey(
        Category, models.PROTECT, null=True, blank=True, verbose_name=_("分类")
    )
    urgency = models.CharField(
        _("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    is_complex = models.BooleanField(_("复杂诉求"), default=False)

    main_unit = models.ForeignKey(
        Unit,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="main_appeals",
        verbose_name=_("主办单位"),
    )
    dispatch_reason = models.CharField(_("派单依据"), max_length=300, blank=True)
    sla_policy = models.ForeignKey(
        SlaPolicy, models.PROTECT, null=True, blank=True, verbose_name=_("时限策略")
    )

    received_at = models.DateTimeField(_("受理时间"), db_index=True)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    sign_due_at = models.DateTimeField(_("签收时限"), null=True, blank=True)
    sign_warn_at = models.DateTimeField(_("签收预警时间"), null=True, blank=True)
    sign_warned_at = models.DateTimeField(_("已签收预警"), null=True, blank=True)
    sign_overdue_at = models.DateTimeField(_("签收超时时间"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    contacted_at = models.DateTimeField(_("联系诉求人时间"), null=True, blank=True)
    reply_due_at = models.DateTimeField(_("办结时限"), null=True, blank=True)
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    warned_at = models.DateTimeField(_("已预警"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("超期时间"), null=True, blank=True)
    replied_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    reply_text = models.TextField(_("办理结果"), blank=True)
    reply_check = models.JSONField(_("答复质量检查"), default=dict, blank=True)
    reply_flagged = models.BooleanField(_("答复待督办复核"), default=False, db_index=True)
    deferred_until = models.DateField(_("计划解决日期"), null=True, blank=True)
    defer_followed_at = models.DateTimeField(_("挂账到期督办时间"), null=True, blank=True)
    evaluated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    # The public versions of the free text, personal data masked (appeals.public_text),
    # written with the original: what the tracking page, the public API and analysts see.
    public_title = models.CharField(_("标题（公开）"), max_length=200, blank=True)
    public_content = models.TextField(_("诉求内容（公开）"), blank=True)
    public_address = models.CharField(_("事发地址（公开）"), max_length=200, blank=True)
    public_reply = models.TextField(_("办理结果（公开）"), blank=True)

    merged_into = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_appeals",
        verbose_name=_("并入"),
    )
    send_back_count = models.PositiveSmallIntegerField(_("退单次数"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        indexes = [
            models.Index(fields=["status", "received_at"]),
            models.Index(fields=["main_unit", "status"]),
            models.Index(fields=["status", "reply_due_at"]),
            models.Index(fields=["grid", "received_at"]),
            models.Index(fields=["category", "received_at"]),
            # a caller's history at intake, and the dashboards' "last N days"
            models.Index(fields=["caller_phone", "received_at"]),
            models.Index(fields=["received_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.title}"

    @property
    def place_area(self) -> Area | None:
        """The finest area the appeal is placed in (grid, else street, else district): what
        the territorial rules dispatch by."""
        return self.grid or self.street or self.district


class AppealAssignment(models.Model):
    """One unit's part in an appeal: the main unit (主办) or an assisting unit (协办)."""

    appeal = models.ForeignKey(Appeal, models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="assignments")
    role = models.CharField(max_length=10, choices=AssignmentRole.choices)
    status = models.CharField(
        max_length=12, choices=AssignmentStatus.choices, default=AssignmentStatus.PENDING
    )
    assigned_at = models.DateTimeField()
    signed_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("承办分工")
        verbose_name_plural = _("承办分工")
        indexes = [models.Index(fields=["unit", "status"])]


class AppealEvent(models.Model):
    """One recorded change (全过程记录): who, when, what, why, and the fields before/after.
    Written in the same transaction as the change it records; never updated or deleted."""

    appeal = models.ForeignKey(Appeal, models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=30)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=100)
    actor_unit = models.ForeignKey(Unit, models.SET_NULL, null=True, blank=True, related_name="+")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    reason = models.TextField(blank=True)
    public_note = models.TextField(blank=True, help_text="the reason, personal data masked")
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["appeal_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["appeal", "seq"], name="appeal_event_seq_unique")
        ]
