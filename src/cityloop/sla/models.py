"""Deadline policies and the working-day calendar they count on."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityloop.taxonomy.models import Category


class CalendarSource(models.TextChoices):
    PACKAGE = "package", _("节假日数据包")
    ADMIN = "admin", _("管理员维护")


class WorkCalendarDay(models.Model):
    """An exception to the Monday–Friday week: a public holiday on a weekday, or a 调休 make-up
    working day on a weekend. Rows seeded from the chinese_calendar package are marked as such;
    administrators add the years the package does not know yet."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("说明"), max_length=60, blank=True)
    source = models.CharField(
        _("来源"), max_length=10, choices=CalendarSource.choices, default=CalendarSource.ADMIN
    )

    class Meta:
        verbose_name = _("工作日历（节假日与调休）")
        verbose_name_plural = _("工作日历（节假日与调休）")
        ordering = ["date"]

    def __str__(self) -> str:
        kind = _("调休上班") if self.is_workday else _("放假")
        return f"{self.date} {kind} {self.name}"


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", _("紧急")
    NORMAL = "normal", _("一般")


class TimeUnit(models.TextChoices):
    NATURAL_MINUTES = "natural_minutes", _("自然分钟")
    NATURAL_HOURS = "natural_hours", _("自然小时")
    WORKING_HOURS = "working_hours", _("工作小时")
    NATURAL_DAYS = "natural_days", _("自然日")
    WORKING_DAYS = "working_days", _("工作日")


class SlaPolicy(models.Model):
    """How long a unit has to sign for and to reply. The most specific active policy that
    matches an appeal wins: highest priority first, then the deepest category."""

    name = models.CharField(_("名称"), max_length=60)
    urgency = models.CharField(
        _("紧急程度"),
        max_length=10,
        choices=Urgency.choices,
        blank=True,
        help_text=_("留空表示任意"),
    )
    category = models.ForeignKey(
        Category,
        models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("分类"),
        help_text=_("匹配该分类及其下级分类；留空表示任意"),
    )
    is_complex = models.BooleanField(_("复杂诉求"), null=True, blank=True)
    sign_within = models.PositiveIntegerField(_("签收时限"))
    sign_unit = models.CharField(_("签收时限单位"), max_length=20, choices=TimeUnit.choices)
    reply_within = models.PositiveIntegerField(_("办结时限"))
    reply_unit = models.CharField(_("办结时限单位"), max_length=20, choices=TimeUnit.choices)
    warn_before_percent = models.PositiveSmallIntegerField(
        _("预警提前比例(%)"), default=20, help_text=_("剩余时间少于总时限的该比例时预警")
    )
    priority = models.IntegerField(_("优先级"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("时限策略")
        verbose_name_plural = _("时限策略")
        ordering = ["-priority", "name"]

    def __str__(self) -> str:
        return self.name
