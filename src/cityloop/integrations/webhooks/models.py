"""A subscription of an outside system (its api key) to the events of the appeals the key
may see, and one delivery per event and subscription: written in the event's transaction,
sent by the worker after the commit."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cityloop.appeals.models import Appeal, AppealEvent
from cityloop.org.models import ApiKey


class Subscription(models.Model):
    """`kinds` are event actions (appeals.transitions); empty: every event. Deleting one
    only marks it, so its delivery log stays readable."""

    key = models.ForeignKey(
        ApiKey, models.PROTECT, related_name="webhook_subscriptions", verbose_name=_("密钥")
    )
    url = models.URLField(_("推送地址"), max_length=500)
    # The shared secret the bodies are signed with (HMAC-SHA256): it must be stored as it is.
    secret = models.CharField(max_length=128)
    kinds = models.JSONField(_("事件类型"), default=list, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    deleted_at = models.DateTimeField(_("删除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("事件订阅")
        verbose_name_plural = _("事件订阅")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.url}"

    def wants(self, action: str) -> bool:
        return not self.kinds or action in self.kinds


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENT = "sent", _("已送达")
    FAILED = "failed", _("已放弃")
    CANCELLED = "cancelled", _("已取消")


class Delivery(models.Model):
    """One event told to one subscription. `key` is its idempotency key, sent with every
    try: a receiver that got it once can drop a repeat (the worker died before marking it)."""

    subscription = models.ForeignKey(Subscription, models.CASCADE, related_name="deliveries")
    appeal = models.ForeignKey(Appeal, models.CASCADE, related_name="+")
    event = models.ForeignKey(AppealEvent, models.CASCADE, related_name="+")
    kind = models.CharField(_("事件类型"), max_length=40)
    key = models.CharField(max_length=80, unique=True)
    # the JSON body exactly as it is signed and sent, fixed when the event is recorded
    body = models.TextField()
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    created_at = models.DateTimeField(_("创建时间"))
    next_attempt_at = models.DateTimeField()
    # a worker that claimed the row holds it until then; one that died lets it go
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("最近尝试"), null=True, blank=True)
    sent_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("对方应答码"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["subscription", "created_at"]),
        ]

    def __str__(self) -> str:
        return self.key
