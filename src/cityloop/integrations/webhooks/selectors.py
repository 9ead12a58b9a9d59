"""A key holder's reads: its live subscriptions and one subscription's delivery log."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cityloop.integrations.webhooks.models import Delivery, DeliveryStatus, Subscription
from cityloop.kernel.errors import NotFound, invalid_field
from cityloop.org.models import ApiKey


def subscriptions_of(key: ApiKey) -> QuerySet[Subscription]:
    return Subscription.objects.filter(key=key, deleted_at__isnull=True).order_by("pk")


def subscription_of(key: ApiKey, subscription_id: int) -> Subscription:
    """One of the key's subscriptions, deleted ones too (their log stays readable)."""
    subscription = Subscription.objects.filter(pk=subscription_id, key=key).first()
    if subscription is None:
        raise NotFound("subscription_not_found", _("订阅不存在"))
    return subscription


def deliveries_of(
    key: ApiKey, subscription_id: int, *, status: str = "", limit: int = 100
) -> list[Delivery]:
    """The newest deliveries first."""
    if status and status not in DeliveryStatus.values:
        raise invalid_field(
            "status", _("状态应为以下之一：%(expected)s"), expected=", ".join(DeliveryStatus.values)
        )
    subscription = subscription_of(key, subscription_id)
    rows = Delivery.objects.filter(subscription=subscription).select_related("appeal")
    if status:
        rows = rows.filter(status=status)
    return list(rows.order_by("-pk")[: max(1, min(limit, 500))])
