"""群众评价 and 统一考核: the citizen's callback answers and what the units are assessed on."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityloop.appeals.enums import DecisionStatus, Satisfaction
from cityloop.appeals.models import Appeal
from cityloop.org.models import Unit


class Callback(models.Model):
    """回访 / 群众评价: the citizen's answers after the reply. Only valid callbacks (the citizen
    was reached and answered) count in the three rates; `is_latest` marks the one that counts
    for the appeal when it was evaluated more than once (after a reopen)."""

    appeal = models.ForeignKey(Appeal, models.CASCADE, related_name="callbacks")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="callbacks")
    at = models.DateTimeField()
    is_valid = models.BooleanField(default=True)
    contacted = models.BooleanField(_("是否联系"), null=True)
    resolved = models.BooleanField(_("是否解决"), null=True)
    satisfaction = models.CharField(
        _("满意度"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    comment = models.TextField(_("评价意见"), blank=True)
    public_comment = models.TextField(_("评价意见（公开）"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_latest = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("回访评价")
        verbose_name_plural = _("回访评价")
        indexes = [models.Index(fields=["is_latest", "at", "unit"])]


class AssessmentExclusion(models.Model):
    """剔除: an appeal taken out of a unit's assessment (e.g. an unreasonable demand), which
    needs a reason and a supervisor's approval."""

    appeal = models.OneToOneField(Appeal, models.CASCADE, related_name="exclusion")
    reason = models.TextField(_("剔除理由"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("考核剔除")
        verbose_name_plural = _("考核剔除")


class AssessmentSettings(models.Model):
    """The weights of the three rates (三率), the smallest sample a unit is ranked on and the
    body that issues the ranking. One row; the admin edits it."""

    basically_satisfied_weight = models.DecimalField(
        _("“基本满意”计入满意的权重"), max_digits=4, decimal_places=2, default=Decimal("0.80")
    )
    response_weight = models.DecimalField(
        _("响应率权重"), max_digits=4, decimal_places=2, default=Decimal("0.20")
    )
    resolution_weight = models.DecimalField(
        _("解决率权重"), max_digits=4, decimal_places=2, default=Decimal("0.40")
    )
    satisfaction_weight = models.DecimalField(
        _("满意率权重"), max_digits=4, decimal_places=2, default=Decimal("0.40")
    )
    # a unit with fewer valid callbacks in the month is listed apart (样本不足), not ranked:
    # a handful of callbacks says too little to put it above or below anyone
    # (docs/decisions/0007-ranking-small-samples.md)
    min_callbacks = models.PositiveIntegerField(
        _("参与排名的最少有效回访数"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=_("当月有效回访少于此数的单位列入“样本不足”，不参与排名"),
    )
    issuing_body = models.CharField(
        _("发布单位"), max_length=100, default="12345市民服务热线管理中心"
    )

    class Meta:
        verbose_name = _("考核设置")
        verbose_name_plural = _("考核设置")

    def __str__(self) -> str:
        return str(_("考核设置"))

    @classmethod
    def current(cls) -> AssessmentSettings:
        found = cls.objects.order_by("pk").first()
        return found if found is not None else cls.objects.create()
