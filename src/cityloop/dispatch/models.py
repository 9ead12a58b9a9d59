"""The responsibility matrix (category × area → unit) as rows administrators edit."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityloop.geo.models import Area
from cityloop.org.models import Unit
from cityloop.taxonomy.models import Category


class RuleTarget(models.TextChoices):
    UNIT = "unit", _("指定单位")
    STREET_OF_LOCATION = "street_of_location", _("属地街道（乡镇）")
    DISTRICT_OF_LOCATION = "district_of_location", _("属地区政府")


class ResponsibilityRule(models.Model):
    """Appeals of `category` (or any category under it) located in `area` (or anywhere under it)
    go to the target. Empty category or area means "any". The most specific matching rule wins:
    highest priority, then deepest category, then deepest area."""

    category = models.ForeignKey(
        Category, models.PROTECT, null=True, blank=True, verbose_name=_("分类")
    )
    area = models.ForeignKey(Area, models.PROTECT, null=True, blank=True, verbose_name=_("区域"))
    target = models.CharField(
        _("派往"), max_length=30, choices=RuleTarget.choices, default=RuleTarget.UNIT
    )
    unit = models.ForeignKey(
        Unit,
        models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("承办单位"),
        help_text=_("派往“指定单位”时必填"),
    )
    priority = models.IntegerField(_("优先级"), default=0)
    reason = models.CharField(
        _("依据"), max_length=200, help_text=_("派单理由，展示给派单员和承办单位")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("职责规则")
        verbose_name_plural = _("职责规则（按责派单）")
        ordering = ["-priority", "id"]

    def __str__(self) -> str:
        return self.reason
