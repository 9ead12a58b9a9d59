"""The administrator edits the templates (a template with an unknown placeholder is refused
with the list of those allowed), records opt-outs a caller asked for on the phone, and reads
the outbox (who was told what, and what became of it)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cityloop.kernel import clock
from cityloop.notify.models import MessageTemplate, OptOut, Outbox
from cityloop.notify.outbox import normal_address
from cityloop.notify.services import mask_address
from cityloop.notify.templates import PLACEHOLDERS

PLACEHOLDER_HELP = format_lazy(
    "{}{}",
    _("可用的占位符（退订链接自动附在末尾）："),
    "、".join(f"{{{name}}} {label}" for name, label in PLACEHOLDERS.items()),
)


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["kind", "channel", "subject", "body", "is_active"]
        help_texts = {
            "body": format_lazy(
                "{}{}", _("可用的占位符（退订链接自动附在末尾）："), PLACEHOLDER_HELP
            )
        }


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    form = MessageTemplateForm
    list_display = ["__str__", "kind", "channel", "is_active"]
    list_filter = ["channel", "is_active"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["kind", "channel"] if obj is not None else []


class OptOutForm(forms.ModelForm):
    class Meta:
        model = OptOut
        fields = ["channel", "address", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        channel, address = data.get("channel"), data.get("address")
        if channel and address:
            data["address"] = normal_address(channel, address)
            taken = OptOut.objects.filter(channel=channel, address=data["address"])
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("address", _("该号码或邮箱已退订"))
        return data


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    form = OptOutForm
    list_display = ["channel", "shown_address", "at", "via_link", "note"]
    list_filter = ["channel", "via_link"]
    search_fields = ["address"]

    @admin.display(description=_("号码或邮箱"))
    def shown_address(self, obj: OptOut) -> str:
        return mask_address(obj.channel, obj.address)

    def save_model(self, request: HttpRequest, obj: OptOut, form: Any, change: bool) -> None:
        if not change:
            obj.at = clock.now()
        super().save_model(request, obj, form, change)


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    """Read only: messages are written by the events they tell of and sent by the worker."""

    list_display = ["key", "kind", "channel", "shown_to", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["key"]
    exclude = ["to"]

    @admin.display(description=_("收件人"))
    def shown_to(self, obj: Outbox) -> str:
        return mask_address(obj.channel, obj.to)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
