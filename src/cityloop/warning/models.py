"""Alerts: what the nightly (or on-demand) warning run found, and what supervisors did with it.

A run that finds the same thing again (same kind, area, category or topic, window start)
updates the alert it made before: the fingerprint is unique, so runs are idempotent and a
run cut off half-way is simply run again. Every change of an alert's status is an
AlertAction row (who, when, why); dismissals with their reasons are how the false-alarm
rate is watched.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityloop.appeals.models import Appeal
from cityloop.geo.models import Area
from cityloop.taxonomy.models import Category


class AlertKind(models.TextChoices):
    RISE = "rise", _("突增")
    CLUSTER = "cluster", _("时空聚集")
    TOPIC = "topic", _("热点话题")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    DISMISSED = "dismissed", _("已排除")
    RESPONDED = "responded", _("已响应")


class WarningRun(models.Model):
    """One run of the detectors over the history up to `as_of`. `finished_at` stays empty
    when the run was cut off; the next run covers the same days again."""

    as_of = models.DateField(_("数据截至"))
    trigger = models.CharField(max_length=20)  # "nightly" or "on_demand"
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    alerts_found = models.PositiveIntegerField(default=0)
    alerts_new = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("预警运行")
        verbose_name_plural = _("预警运行")
        ordering = ["-started_at"]


class Alert(models.Model):
    fingerprint = models.CharField(max_length=64, unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=AlertKind.choices)
    method = models.CharField(_("方法"), max_length=20)
    area = models.ForeignKey(Area, models.PROTECT, null=True, blank=True, related_name="+")
    category = models.ForeignKey(Category, models.PROTECT, null=True, blank=True, related_name="+")
    topic = models.CharField(_("话题"), max_length=100, blank=True)
    window_start = models.DateField(_("起始日"))
    window_end = models.DateField(_("截止日"))
    observed = models.FloatField(_("实际数"))
    expected = models.FloatField(_("预期数"))
    statistic = models.FloatField(_("统计量"))
    threshold = models.FloatField(_("阈值"), null=True, blank=True)
    p_value = models.FloatField(_("p 值"), null=True, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    appeals = models.ManyToManyField(Appeal, related_name="alerts", blank=True)
    status = models.CharField(
        _("状态"), max_length=15, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    first_found_at = models.DateTimeField()
    last_found_at = models.DateTimeField()
    found_by = models.ForeignKey(
        WarningRun, models.SET_NULL, null=True, blank=True, related_name="alerts"
    )
    # 响应: the case the alert was turned into
    response_appeal = models.ForeignKey(
        Appeal, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-window_end", "-statistic"]
        indexes = [models.Index(fields=["status", "window_end"])]


class AlertAction(models.Model):
    """One change of an alert's status: who, when, why."""

    alert = models.ForeignKey(Alert, models.CASCADE, related_name="actions")
    action = models.CharField(max_length=15)  # acknowledge, dismiss, respond
    from_status = models.CharField(max_length=15, choices=AlertStatus.choices)
    to_status = models.CharField(max_length=15, choices=AlertStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField()
    reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("预警处置记录")
        verbose_name_plural = _("预警处置记录")
        ordering = ["at", "pk"]
