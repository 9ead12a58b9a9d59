"""The administrator reads the subscriptions and their delivery logs; nothing is edited
here (a key holder manages its subscriptions over the API; secrets are never shown)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cityloop.integrations.webhooks.models import Delivery, Subscription


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnly):
    list_display = ["__str__", "key", "kinds", "created_at", "deleted_at"]
    list_filter = ["deleted_at"]
    search_fields = ["url", "key__name"]
    exclude = ["secret"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = [
        "key",
        "subscription",
        "kind",
        "status",
        "attempts",
        "response_status",
        "sent_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["key", "appeal__tracking_code"]
    raw_id_fields = ["subscription", "appeal", "event"]
