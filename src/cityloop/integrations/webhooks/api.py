"""The key holder's API: create, list and delete subscriptions, read a subscription's
delivery log. Authenticated with the api key (header X-Api-Key, or ?api_key= as Open311
clients send it), scope "webhooks"; every request that passes the key check is logged
against the key."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status
from ninja.security import APIKeyHeader

from cityloop.access import keys
from cityloop.integrations.webhooks import selectors, services
from cityloop.integrations.webhooks.models import Delivery, DeliveryStatus, Subscription
from cityloop.integrations.webhooks.schemas import (
    DeliveryOut,
    SubscriptionCreatedOut,
    SubscriptionIn,
    SubscriptionOut,
)
from cityloop.kernel.api_schema import ERRORS
from cityloop.kernel.errors import DomainError
from cityloop.org.models import ApiKey, KeyScope


class WebhooksKey(APIKeyHeader):
    """The key from the X-Api-Key header or, as Open311 clients send it, ?api_key=; checked
    (403 / 429) before the body is read."""

    param_name = "X-Api-Key"

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.headers.get(self.param_name) or request.GET.get("api_key")

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey:
        return keys.authenticate(request, key, KeyScope.WEBHOOKS)


router = Router(auth=WebhooksKey(), tags=["webhooks"])
F = TypeVar("F", bound=Callable[..., Any])


def key_of(request: HttpRequest) -> ApiKey:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def logged(view: F) -> F:
    """Logs each request against its key, with the status it got."""

    @functools.wraps(view)
    def run(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            answer = view(request, *args, **kwargs)
        except DomainError as refused:
            keys.record_use(key_of(request), request, refused.status)
            raise
        status = answer.status_code if isinstance(answer, Status) else 200
        keys.record_use(key_of(request), request, status)
        return answer

    return run  # type: ignore[return-value]


def subscription_out(subscription: Subscription) -> dict[str, Any]:
    return {
        "id": subscription.pk,
        "url": subscription.url,
        "kinds": subscription.kinds,
        "created_at": subscription.created_at,
        "deleted_at": subscription.deleted_at,
    }


def delivery_out(delivery: Delivery) -> dict[str, Any]:
    queued = delivery.status == DeliveryStatus.QUEUED
    return {
        "id": delivery.pk,
        "key": delivery.key,
        "kind": delivery.kind,
        "tracking_code": delivery.appeal.tracking_code,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "created_at": delivery.created_at,
        "last_attempt_at": delivery.last_attempt_at,
        "next_attempt_at": delivery.next_attempt_at if queued else None,
        "sent_at": delivery.sent_at,
        "response_status": delivery.response_status,
        "error": delivery.error,
    }


@router.post(
    "/webhooks/subscriptions",
    response={201: SubscriptionCreatedOut, **ERRORS},
    summary="订阅诉求事件 (subscribe)",
)
@logged
def create_subscription(
    request: HttpRequest,
    body: SubscriptionIn,
) -> Status[dict[str, Any]]:
    subscription = services.subscribe(
        key=key_of(request), url=body.url, kinds=body.kinds, secret=body.secret
    )
    return Status(201, {**subscription_out(subscription), "secret": subscription.secret})


@router.get(
    "/webhooks/subscriptions",
    response={200: list[SubscriptionOut], **ERRORS},
    summary="订阅列表",
)
@logged
def list_subscriptions(request: HttpRequest) -> list[dict[str, Any]]:
    return [subscription_out(s) for s in selectors.subscriptions_of(key_of(request))]


@router.delete(
    "/webhooks/subscriptions/{subscription_id}",
    response={204: None, **ERRORS},
    summary="取消订阅",
)
@logged
def delete_subscription(request: HttpRequest, subscription_id: int) -> Status[None]:
    services.unsubscribe(subscription_id, key=key_of(request))
    return Status(204, None)


@router.get(
    "/webhooks/subscriptions/{subscription_id}/deliveries",
    response={200: list[DeliveryOut], **ERRORS},
    summary="推送记录",
)
@logged
def list_deliveries(
    request: HttpRequest,
    subscription_id: int,
    status: str = "",
    limit: int = 100,
) -> list[dict[str, Any]]:
    found = selectors.deliveries_of(key_of(request), subscription_id, status=status, limit=limit)
    return [delivery_out(d) for d in found]


@router.get("/webhooks/kinds", response={200: list[str], **ERRORS}, summary="事件类型")
@logged
def list_kinds(request: HttpRequest) -> list[str]:
    return services.event_kinds()
