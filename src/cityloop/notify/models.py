"""The outbox (one row per message to send), the templates the messages are written from,
the citizen's e-mail address, and the addresses that asked to hear nothing more."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cityloop.appeals.models import Appeal, AppealEvent


class Channel(models.TextChoices):
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")


class Kind(models.TextChoices):
    """What the citizen is told; each is written from its own template per channel."""

    RECEIPT = "receipt", _("受理回执")
    DISPATCHED = "dispatched", _("派单告知")
    REPLIED = "replied", _("办结告知")
    EXTENDED = "extended", _("延期告知")
    REOPENED = "reopened", _("重新办理告知")
    CLOSED = "closed", _("关闭告知")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    SKIPPED = "skipped", _("未发送")


class SkipReason(models.TextChoices):
    DISABLED = "disabled", _("该类通知已停用")
    NOT_MOBILE = "not_mobile", _("不是手机号码，无法发送短信")
    OPTED_OUT = "opted_out", _("对方已退订")


class MessageTemplate(models.Model):
    """Editable by administrators; placeholders are checked on save (notify.templates)."""

    kind = models.CharField(_("通知类型"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    subject = models.CharField(_("邮件标题"), max_length=200, blank=True)
    body = models.TextField(_("正文"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("通知模板")
        verbose_name_plural = _("通知模板")
        constraints = [
            models.UniqueConstraint(fields=["kind", "channel"], name="notify_template_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_channel_display()}"

    def clean(self) -> None:
        from cityloop.notify.templates import check_template

        errors = {}
        for field in ("subject", "body"):
            problem = check_template(getattr(self, field))
            if problem:
                errors[field] = problem
        if errors:
            raise ValidationError(errors)


class Recipient(models.Model):
    """The citizen's e-mail address for one appeal (the phone is the appeal's own)."""

    appeal = models.OneToOneField(Appeal, models.CASCADE, related_name="+")
    email = models.EmailField(_("电子邮箱"), blank=True)

    class Meta:
        verbose_name = _("通知对象")
        verbose_name_plural = _("通知对象")

    def __str__(self) -> str:
        return self.appeal.tracking_code


class OptOut(models.Model):
    """An address that is sent nothing more: asked for by the citizen through the link in a
    message, or recorded by staff (a caller who asked on the phone)."""

    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("号码或邮箱"), max_length=254)
    at = models.DateTimeField(_("退订时间"))
    via_link = models.BooleanField(_("通过退订链接"), default=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("退订")
        verbose_name_plural = _("退订")
        constraints = [
            models.UniqueConstraint(fields=["channel", "address"], name="notify_optout_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.address}"


class Outbox(models.Model):
    """One message, written in the transaction of the event it tells of and sent after the
    commit by the worker. `key` is the message's idempotency key, given to the backend: a
    message sent whose row was not marked sent (the worker died in between) is not sent
    again when it is tried once more."""

    appeal = models.ForeignKey(Appeal, models.CASCADE, related_name="+")
    event = models.ForeignKey(AppealEvent, models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    key = models.CharField(max_length=80, unique=True)
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    # A worker that claimed the row holds it until then; one that died lets it go.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=200, blank=True)
    skip_reason = models.CharField(max_length=12, choices=SkipReason.choices, blank=True)
    error = models.TextField(blank=True, help_text="the backend's last error, as it said it")

    class Meta:
        verbose_name = _("通知消息")
        verbose_name_plural = _("通知消息")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return self.key
