"""An import is a batch keyed by the file's content (SHA-256): running the same file again
resumes or repeats that batch, never a second one. Each row of the file is recorded once
(ImportedRow, unique per batch and row number) in the same transaction as the appeal made of
it, or with the reason it was rejected, so a killed import leaves whole chunks only."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityloop.appeals.models import Appeal


class ImportBatch(models.Model):
    file_sha256 = models.CharField(_("文件摘要"), max_length=64, unique=True)
    file_name = models.CharField(_("文件名"), max_length=255)
    mapping = models.JSONField(_("列映射"), default=dict)
    rows_total = models.PositiveIntegerField(_("数据行数"), default=0)
    imported = models.PositiveIntegerField(_("已导入"), default=0)
    rejected = models.PositiveIntegerField(_("已拒绝"), default=0)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    imported_by = models.CharField(_("导入人"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.file_sha256[:12]})"


class ImportedRow(models.Model):
    """One data row of a batch's file: the appeal made of it, or why it was refused."""

    batch = models.ForeignKey(ImportBatch, models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField(_("行号"))
    external_id = models.CharField(_("原工单编号"), max_length=100, blank=True, db_index=True)
    appeal = models.OneToOneField(
        Appeal, models.CASCADE, null=True, blank=True, related_name="imported_from"
    )
    reason = models.TextField(_("拒绝原因"), blank=True)

    class Meta:
        verbose_name = _("导入行")
        verbose_name_plural = _("导入行")
        constraints = [
            models.UniqueConstraint(fields=["batch", "row_number"], name="imported_row_once")
        ]
