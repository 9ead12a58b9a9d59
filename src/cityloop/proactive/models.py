"""Proactive work (未诉先办): proposals made from forecasts, recurring problems and alerts, and
the month's chosen problems (每月一题)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityloop.appeals.models import Appeal
from cityloop.geo.models import Area
from cityloop.org.models import Unit
from cityloop.taxonomy.models import Category
from cityloop.warning.models import Alert


class ProposalSource(models.TextChoices):
    FORECAST = "forecast", _("预测")
    RECURRING = "recurring", _("同一地点反复发生")
    ALERT = "alert", _("预警")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("待决定")
    ACCEPTED = "accepted", _("已采纳")
    DECLINED = "declined", _("不采纳")


class Proposal(models.Model):
    """主动治理建议: work proposed to the responsible unit before the problem is called in.
    Accepted, it becomes an appeal of channel "proactive" that runs the normal loop."""

    # source + area + category + period: proposing again updates, never duplicates
    fingerprint = models.CharField(max_length=64, unique=True)
    source = models.CharField(_("来源"), max_length=10, choices=ProposalSource.choices)
    area = models.ForeignKey(Area, models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, models.PROTECT, null=True, blank=True, related_name="+")
    title = models.CharField(_("标题"), max_length=200)
    reason = models.TextField(_("依据"))
    evidence = models.JSONField(default=dict, blank=True)
    act_by = models.DateField(_("建议完成日期"), null=True, blank=True)
    alert = models.ForeignKey(Alert, models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(
        _("状态"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    appeal = models.OneToOneField(
        Appeal, models.SET_NULL, null=True, blank=True, related_name="proposal"
    )

    class Meta:
        verbose_name = _("主动治理建议")
        verbose_name_plural = _("主动治理建议")
        ordering = ["-proposed_at"]
        indexes = [models.Index(fields=["status", "proposed_at"])]


class MonthlyTopicStatus(models.TextChoices):
    TRACKING = "tracking", _("治理中")
    RESOLVED = "resolved", _("已解决")


class MonthlyTopic(models.Model):
    """每月一题: a high-frequency problem (category × area) staff chose for the month, tracked
    to resolution with the volume before and after."""

    month = models.DateField(_("月份"))  # the first day of the month
    category = models.ForeignKey(Category, models.PROTECT, related_name="+")
    area = models.ForeignKey(Area, models.PROTECT, related_name="+")
    title = models.CharField(_("题目"), max_length=200)
    reason = models.TextField(_("选题理由"), blank=True)
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    chosen_at = models.DateTimeField()
    # appeals of the category in the area in the three months before the chosen month
    volume_before = models.PositiveIntegerField(_("选题前月均量"))
    status = models.CharField(
        max_length=10, choices=MonthlyTopicStatus.choices, default=MonthlyTopicStatus.TRACKING
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("每月一题")
        verbose_name_plural = _("每月一题")
        ordering = ["-month", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "category", "area"], name="proactive_one_topic_per_month"
            )
        ]
