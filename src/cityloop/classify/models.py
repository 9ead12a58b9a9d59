"""Trained text models, the suggestions they made, and the corrections staff made to them.

Appeals are referenced by string ("appeals.Appeal"): intake imports this package to
understand a new appeal, so this package must not import the appeals package."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    """Which model: the fast one on every appeal at intake, or the second stage run in the
    background on the appeals the fast one is unsure about (secondstage.py)."""

    FAST = "fast", _("快速模型")
    SECOND = "second", _("第二阶段")


class ClassifierModel(models.Model):
    """A trained category model. The payload is the serialized model, kept in the database so
    every server process and a restored backup use exactly the same version. One model of
    each stage is in use at a time."""

    name = models.CharField(_("版本"), max_length=60, unique=True)
    created_at = models.DateTimeField(_("训练时间"))
    method = models.CharField(_("方法"), max_length=200)
    trained_on = models.CharField(_("训练数据"), max_length=300)
    n_train = models.PositiveIntegerField(_("训练样本数"))
    n_unlabeled = models.PositiveIntegerField(_("未标注样本数"), default=0)
    label_codes = models.JSONField(_("标签 → 分类编码"), default=dict)
    metrics = models.JSONField(_("评估结果"), default=dict)
    payload = models.BinaryField()
    is_active = models.BooleanField(_("在用"), default=False)
    stage = models.CharField(_("阶段"), max_length=10, choices=Stage, default=Stage.FAST)

    class Meta:
        verbose_name = _("分类模型")
        verbose_name_plural = _("分类模型")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class Suggestion(models.Model):
    """What a model proposed for one appeal: ranked categories with calibrated confidence,
    the unit the rules would choose for the top one, and whether it was applied by itself."""

    appeal = models.ForeignKey("appeals.Appeal", models.CASCADE, related_name="suggestions")
    model = models.ForeignKey(ClassifierModel, models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    ranked = models.JSONField(help_text="[{code, path, confidence}] best first")
    confidence = models.FloatField()
    unit_code = models.CharField(max_length=30, blank=True)
    auto_applied = models.BooleanField(default=False)
    # a second-stage suggestion is only ever a suggestion (auto_applied stays False)
    stage = models.CharField(max_length=10, choices=Stage, default=Stage.FAST)

    class Meta:
        verbose_name = _("分类建议")
        verbose_name_plural = _("分类建议")
        constraints = [
            # the background job may run twice: one second opinion per appeal and model
            models.UniqueConstraint(
                fields=["appeal", "model"],
                condition=models.Q(stage="second"),
                name="one_second_opinion_per_model",
            )
        ]


class Correction(models.Model):
    """A person set a category other than the model's first choice: the next training
    learns from it."""

    appeal = models.ForeignKey("appeals.Appeal", models.CASCADE, related_name="corrections")
    text = models.TextField()
    suggested_code = models.CharField(max_length=20, blank=True)
    corrected_code = models.CharField(max_length=20)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True)
    corrected_at = models.DateTimeField()
    model_name = models.CharField(max_length=60, blank=True)

    class Meta:
        verbose_name = _("人工纠正")
        verbose_name_plural = _("人工纠正")


class UnderstandingSettings(models.Model):
    """Thresholds an administrator tunes: above them the machine acts by itself."""

    auto_dispatch_confidence = models.DecimalField(
        _("自动派单置信度阈值"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.80"),
        help_text=_("分类置信度不低于该值时自动分类并派单，否则等待人工"),
    )
    address_match_score = models.DecimalField(
        _("地址匹配阈值"), max_digits=3, decimal_places=2, default=Decimal("0.70")
    )

    class Meta:
        verbose_name = _("智能分类设置")
        verbose_name_plural = _("智能分类设置")

    def __str__(self) -> str:
        return str(_("智能分类设置"))

    @classmethod
    def current(cls) -> UnderstandingSettings:
        found = cls.objects.order_by("pk").first()
        return found if found is not None else cls.objects.create()
