"""巡查上报's own record: which grid a worker patrols, and what they found there.

Every report is also an appeal of channel grid_patrol (received through intake, handled
through the stages' services); the report keeps what the appeal has no column for: the
worker, when the problem was found, where the device said it was, and which photos are
before and which after the work."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityloop.appeals.models import Appeal
from cityloop.geo.models import Area, AreaLevel
from cityloop.geo.services import ancestor_at
from cityloop.handling.models import Attachment
from cityloop.kernel import clock
from cityloop.org.models import Role
from cityloop.taxonomy.models import Category


class PatrolAssignment(models.Model):
    """The grid a grid worker (网格员) patrols. Their StaffProfile names the street office they
    work for; the grid lies in that street office's area (checked by services.assign_grid)."""

    worker = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="patrol_assignment",
        verbose_name=_("网格员"),
    )
    grid = models.ForeignKey(
        Area,
        models.PROTECT,
        related_name="patrol_assignments",
        limit_choices_to={"level": AreaLevel.GRID},
        verbose_name=_("负责网格"),
    )
    since = models.DateTimeField(_("分配时间"), default=clock.now)

    class Meta:
        verbose_name = _("网格分配")
        verbose_name_plural = _("网格分配")

    def __str__(self) -> str:
        return f"{self.worker} → {self.grid}"

    def clean(self) -> None:
        """The one rule of a grid worker's grid (the admin form and services.assign_grid):
        a grid worker's, inside the area of the street office they work for."""
        if self.worker_id is None or self.grid_id is None:
            return  # the missing field is reported by the form
        profile = getattr(self.worker, "staff", None)
        if profile is None or profile.role != Role.GRID_WORKER:
            raise ValidationError({"worker": _("不是网格员账号")})
        if self.grid.level != AreaLevel.GRID:
            raise ValidationError({"grid": _("请选择网格")})
        street = profile.unit.area
        if street is not None and ancestor_at(self.grid, AreaLevel.STREET) != street:
            raise ValidationError(
                {
                    "grid": _("网格%(grid)s不在%(unit)s辖区内")
                    % {"grid": self.grid.name, "unit": profile.unit.name}
                }
            )


class LocationSource(models.TextChoices):
    DEVICE = "device", _("设备定位")
    MAP = "map", _("地图选点")


class PatrolReport(models.Model):
    """One problem a grid worker found on patrol: handled on the spot (自行处置) or sent into
    the loop (上报派单). Either way `appeal` is the appeal it became."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="patrol_reports",
        verbose_name=_("网格员"),
    )
    worker_name = models.CharField(_("网格员姓名"), max_length=100)
    grid = models.ForeignKey(
        Area, models.PROTECT, related_name="patrol_reports", verbose_name=_("所属网格")
    )
    found_at = models.DateTimeField(_("发现时间"))
    reported_at = models.DateTimeField(_("上报时间"))
    lat = models.FloatField(_("纬度"))
    lng = models.FloatField(_("经度"))
    location_source = models.CharField(_("定位方式"), max_length=10, choices=LocationSource.choices)
    accuracy_m = models.FloatField(_("定位精度（米）"), null=True, blank=True)
    text = models.TextField(_("问题描述"))
    category = models.ForeignKey(
        Category, models.PROTECT, null=True, blank=True, verbose_name=_("问题分类")
    )
    handled_on_spot = models.BooleanField(_("自行处置"), default=False)
    action_taken = models.TextField(_("处置情况"), blank=True)
    appeal = models.OneToOneField(
        Appeal, models.PROTECT, related_name="patrol_report", verbose_name=_("诉求")
    )

    class Meta:
        verbose_name = _("巡查上报")
        verbose_name_plural = _("巡查上报")
        ordering = ["-reported_at", "-pk"]
        indexes = [models.Index(fields=["worker", "-reported_at"])]

    def __str__(self) -> str:
        return f"{self.worker_name} {self.found_at:%Y-%m-%d %H:%M} {self.appeal.tracking_code}"


class PhotoStage(models.TextChoices):
    BEFORE = "before", _("处置前")
    AFTER = "after", _("处置后")


class PatrolPhoto(models.Model):
    """Which of the appeal's attachments was taken before the work and which after."""

    report = models.ForeignKey(PatrolReport, models.CASCADE, related_name="photos")
    attachment = models.OneToOneField(Attachment, models.CASCADE, related_name="patrol_photo")
    stage = models.CharField(_("拍摄时机"), max_length=10, choices=PhotoStage.choices)

    class Meta:
        verbose_name = _("巡查照片")
        verbose_name_plural = _("巡查照片")
        ordering = ["stage", "pk"]
