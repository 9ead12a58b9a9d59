"""督办's own records: a unit's extension requests and supervision orders. Their tables were
made by the appeals app and keep its names (docs/decisions/0005-stage-folders.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityloop.appeals.enums import DecisionStatus, SupervisionStatus
from cityloop.appeals.models import Appeal
from cityloop.org.models import Unit


class ExtensionRequest(models.Model):
    """延期申请: a unit asks for more working days; a supervisor decides."""

    appeal = models.ForeignKey(Appeal, models.CASCADE, related_name="extension_requests")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    extra_working_days = models.PositiveSmallIntegerField(_("延长工作日"))
    reason = models.TextField(_("延期理由"))
    status = models.CharField(
        max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    old_due_at = models.DateTimeField(null=True, blank=True)
    new_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        db_table = "appeals_extensionrequest"  # made by the appeals app, kept (0005)
        indexes = [
            models.Index(fields=["status", "requested_at"], name="appeals_ext_status_bb0a57_idx")
        ]


class SupervisionOrder(models.Model):
    """督办单: issued by a supervisor (or by the overdue escalation) to the main unit."""

    appeal = models.ForeignKey(Appeal, models.CASCADE, related_name="supervision_orders")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="supervision_orders")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField()
    is_automatic = models.BooleanField(default=False)
    requirement = models.TextField(_("督办要求"))
    respond_by = models.DateTimeField(_("反馈时限"))
    status = models.CharField(
        max_length=10, choices=SupervisionStatus.choices, default=SupervisionStatus.OPEN
    )
    response = models.TextField(_("反馈内容"), blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        db_table = "appeals_supervisionorder"
        indexes = [
            models.Index(fields=["status", "respond_by"], name="appeals_sup_status_7c6c51_idx")
        ]
