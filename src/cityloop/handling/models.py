"""办理's own record: the files kept with an appeal. The table was made by the appeals app and
keeps its name (docs/decisions/0005-stage-folders.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityloop.appeals.models import Appeal


class Attachment(models.Model):
    """A photo from the citizen or evidence from the unit, kept with the appeal."""

    appeal = models.ForeignKey(Appeal, models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to="attachments/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.CharField(_("上传人"), max_length=100)
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        db_table = "appeals_attachment"  # made by the appeals app, kept (0005)
        ordering = ["uploaded_at", "pk"]
