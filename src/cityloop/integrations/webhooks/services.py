"""A key holder's writes: subscribe and unsubscribe. The key is the actor; each change is
recorded with its time (created_at, deleted_at) and the key's every request is logged
(access.keys.record_use)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cityloop.appeals.transitions import TRANSITIONS
from cityloop.integrations.webhooks.addresses import check_url
from cityloop.integrations.webhooks.models import Delivery, DeliveryStatus, Subscription
from cityloop.kernel import clock
from cityloop.kernel.errors import DomainError, NotFound, invalid_field
from cityloop.org.models import ApiKey

MAX_SUBSCRIPTIONS_PER_KEY = 20
SECRET_MIN, SECRET_MAX = 16, 128


def event_kinds() -> list[str]:
    return sorted(TRANSITIONS)


def subscribe(
    *, key: ApiKey, url: str, kinds: Iterable[str] = (), secret: str = ""
) -> Subscription:
    """A new subscription of `key`; without a secret one is made (the answer shows it once,
    the receiver keeps it to check signatures)."""
    url = url.strip()
    if len(url) > 500:
        raise invalid_field("url", _("推送地址过长（至多 500 个字符）"))
    check_url(url)
    kinds = sorted(set(kinds))
    unknown = [kind for kind in kinds if kind not in TRANSITIONS]
    if unknown:
        raise invalid_field("kinds", _("未知的事件类型：%(kinds)s"), kinds=", ".join(unknown))
    secret = secret.strip() or secrets.token_urlsafe(32)
    if not SECRET_MIN <= len(secret) <= SECRET_MAX or not secret.isprintable():
        raise invalid_field("secret", _("签名密钥须为 16 到 128 个可打印字符"))
    with transaction.atomic():
        live = Subscription.objects.select_for_update().filter(key=key, deleted_at__isnull=True)
        if len(live) >= MAX_SUBSCRIPTIONS_PER_KEY:
            raise DomainError(
                "too_many_subscriptions",
                _("每个密钥至多 %(max)s 个订阅"),
                max=MAX_SUBSCRIPTIONS_PER_KEY,
            )
        return Subscription.objects.create(
            key=key, url=url, secret=secret, kinds=kinds, created_at=clock.now()
        )


def unsubscribe(subscription_id: int, *, key: ApiKey) -> Subscription:
    """Marks the subscription deleted and cancels what it had not yet sent; its log stays."""
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update()
            .filter(pk=subscription_id, key=key, deleted_at__isnull=True)
            .first()
        )
        if subscription is None:
            raise NotFound("subscription_not_found", _("订阅不存在"))
        subscription.deleted_at = clock.now()
        subscription.save(update_fields=["deleted_at"])
        Delivery.objects.filter(subscription=subscription, status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.CANCELLED, claimed_until=None
        )
    return subscription
