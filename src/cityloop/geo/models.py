"""Geography: the administrative tree down to the grid (网格), and the standard address library."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.TextChoices):
    CITY = "city", _("市")
    DISTRICT = "district", _("区")
    STREET = "street", _("街道/乡镇")
    COMMUNITY = "community", _("社区")
    GRID = "grid", _("网格")


LEVEL_DEPTH = {level: depth for depth, level in enumerate(AreaLevel.values)}


class Area(models.Model):
    """One node of city → district → street → community → grid.

    The polygon is a GeoJSON ring of (lng, lat) pairs; its bounding box is stored in columns
    so a point lookup filters candidates in SQL and tests only a few polygons in Python.
    """

    code = models.CharField(_("区划代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=AreaLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级"),
    )
    polygon = models.JSONField(_("边界"), null=True, blank=True)
    min_lng = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    max_lng = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "min_lng", "max_lng"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.fill_bounds()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def fill_bounds(self) -> None:
        if self.polygon:
            lngs = [p[0] for p in self.polygon]
            lats = [p[1] for p in self.polygon]
            self.min_lng, self.max_lng = min(lngs), max(lngs)
            self.min_lat, self.max_lat = min(lats), max(lats)

    @property
    def depth(self) -> int:
        return LEVEL_DEPTH[self.level]


class StandardAddress(models.Model):
    """An entry of the standard address library (标准地址库): a point placed on its grid."""

    code = models.CharField(_("地址编码"), max_length=30, unique=True)
    full_text = models.CharField(_("标准地址"), max_length=200)
    road = models.CharField(_("道路"), max_length=60, blank=True)
    number = models.CharField(_("门牌号"), max_length=60, blank=True)
    building = models.CharField(_("楼栋"), max_length=60, blank=True)
    landmark = models.CharField(_("地标"), max_length=60, blank=True)
    lat = models.FloatField(_("纬度"))
    lng = models.FloatField(_("经度"))
    grid = models.ForeignKey(
        Area,
        models.PROTECT,
        related_name="addresses",
        verbose_name=_("网格"),
        limit_choices_to={"level": AreaLevel.GRID},
    )

    class Meta:
        verbose_name = _("标准地址")
        verbose_name_plural = _("标准地址库")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.full_text
