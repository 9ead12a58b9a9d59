"""The facility registry (城市部件) and the open alarm case of each device."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cityloop.geo.models import Area, AreaLevel, StandardAddress
from cityloop.org.models import Unit
from cityloop.taxonomy.models import Category


class FacilityKind(models.TextChoices):
    STREETLIGHT = "streetlight", _("路灯")
    MANHOLE = "manhole", _("井盖")
    DRAIN = "drain", _("排水设施")
    GAS_POINT = "gas_point", _("燃气监测点")
    WATER_POINT = "water_point", _("供水监测点")
    TRAFFIC_LIGHT = "traffic_light", _("交通信号灯")
    OTHER = "other", _("其他部件")


class Facility(models.Model):
    """A city facility with a sensor (城市部件): where it is and which unit answers for it.
    Its alarms become appeals that go straight to that unit."""

    code = models.CharField(_("设备编码"), max_length=40, unique=True)
    kind = models.CharField(_("部件类型"), max_length=20, choices=FacilityKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    lat = models.FloatField(_("纬度"))
    lng = models.FloatField(_("经度"))
    grid = models.ForeignKey(
        Area,
        models.PROTECT,
        related_name="facilities",
        verbose_name=_("网格"),
        limit_choices_to={"level": AreaLevel.GRID},
    )
    standard_address = models.ForeignKey(
        StandardAddress,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="facilities",
        verbose_name=_("标准地址"),
    )
    unit = models.ForeignKey(
        Unit, models.PROTECT, related_name="facilities", verbose_name=_("责任单位")
    )
    # the category its appeals are filed under (their deadlines follow it); none: the
    # appeal is classified from its text like any other
    category = models.ForeignKey(
        Category,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="facilities",
        verbose_name=_("诉求分类"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("城市部件")
        verbose_name_plural = _("城市部件")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class SensorCase(models.Model):
    """The alarms of one device folded into one appeal (告警归并): at most one open case per
    facility, enforced by the database, so two alarms at once cannot make two appeals. A
    case stays open while its appeal is open; the next alarm after that opens a new one."""

    facility = models.ForeignKey(
        Facility, models.PROTECT, related_name="cases", verbose_name=_("城市部件")
    )
    appeal = models.OneToOneField(
        "appeals.Appeal",
        models.PROTECT,
        related_name="sensor_case",
        verbose_name=_("诉求"),
    )
    is_open = models.BooleanField(_("未结"), default=True)
    alarm_type = models.CharField(_("告警类型"), max_length=60)
    alarm_count = models.PositiveIntegerField(_("告警次数"), default=1)
    first_alarm_at = models.DateTimeField(_("首次告警时间"))
    last_alarm_at = models.DateTimeField(_("最近告警时间"))
    last_reading = models.CharField(_("最近读数"), max_length=60, blank=True)
    cleared_at = models.DateTimeField(_("告警解除时间"), null=True, blank=True)
    # when the timeline last heard of this case: repeats are summarised, not written one by one
    last_event_at = models.DateTimeField(_("最近记入时间线"))
    last_event_count = models.PositiveIntegerField(_("已记入的告警次数"), default=1)

    class Meta:
        verbose_name = _("告警归并记录")
        verbose_name_plural = _("告警归并记录")
        ordering = ["-last_alarm_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility"],
                condition=Q(is_open=True),
                name="sensors_one_open_case_per_facility",
            )
        ]

    def __str__(self) -> str:
        return f"{self.facility.code} × {self.alarm_count}"
