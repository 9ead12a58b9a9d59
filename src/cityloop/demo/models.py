"""Ground truth the demo generator records, so detectors and matchers can be measured."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityloop.appeals.models import Appeal
from cityloop.geo.models import Area
from cityloop.taxonomy.models import Category


class DemoIncident(models.Model):
    """An injected incident: a burst of appeals of one category in one grid over a few days."""

    seed = models.IntegerField()
    category = models.ForeignKey(Category, models.PROTECT)
    grid = models.ForeignKey(Area, models.PROTECT)
    starts_on = models.DateField()
    ends_on = models.DateField()
    extra_appeals = models.PositiveIntegerField()
    description = models.CharField(max_length=200)

    class Meta:
        verbose_name = _("注入事件（真值）")
        verbose_name_plural = _("注入事件（真值）")


class DemoAppealTruth(models.Model):
    """What the generator knows about each appeal it made."""

    appeal = models.OneToOneField(Appeal, models.CASCADE, related_name="demo_truth")
    incident = models.ForeignKey(DemoIncident, models.SET_NULL, null=True, blank=True)
    duplicate_group = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    citizen_key = models.CharField(max_length=20, db_index=True)
    category = models.ForeignKey(Category, models.PROTECT)
    is_emergency = models.BooleanField(default=False)


class DemoBuild(models.Model):
    """One run of `cityloop demo` (or of the build `serve` starts). Written and committed
    before anything else is built, and marked finished only at the very end, after the
    category model is trained: a row without `finished_at` is a build that was interrupted,
    and the next `demo` or `serve` clears the database and builds it again."""

    seed = models.IntegerField()
    appeals = models.PositiveIntegerField()
    days = models.PositiveIntegerField()
    streets_per_district = models.PositiveIntegerField(null=True, blank=True)
    # The last day of the history when it was chosen explicitly; empty: the day it is built.
    end = models.DateField(null=True, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("演示城市构建记录")
        verbose_name_plural = _("演示城市构建记录")

    def __str__(self) -> str:
        state = "finished" if self.finished_at else "unfinished"
        return f"demo build seed={self.seed} appeals={self.appeals} ({state})"
