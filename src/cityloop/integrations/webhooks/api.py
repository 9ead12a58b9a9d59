"""The key holder's API: create, list and delete subscriptions, read a subscription's
delivery log. Authenticated with the api key (header X-Api-Key, or ?api_key= as Open311
clients send it), scope "webhooks"; every request is logged against the key."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from cityloop.access import keys
from cityloop.integrations.webhooks import selectors, services
from cityloop.integrations.webhooks.models import Delivery, DeliveryStatus, Subscription
from cityloop.integrations.webhooks.schemas import (
    DeliveryOut,
    SubscriptionCreatedOut,
    SubscriptionIn,
    SubscriptionOut,
)
from cityloop.kernel.api_schema import PUBLIC_ERRORS
from cityloop.kernel.errors import DomainError
from cityloop.org.models import ApiKey, KeyScope

router = Router(tags=["webhooks"])
F = TypeVar("F", bound=Callable[..., Any])


def raw_key(request: HttpRequest) -> str | None:
    return request.headers.get("X-Api-Key") or request.GET.get("api_key")


def with_key(view: F) -> F:
    """Authenticates the key (403 / 429 before anything runs), hands it to the view as
    `key`, and logs the request with the status it got."""

    @functools.wraps(view)
    def run(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        key = keys.authenticate(request, raw_key(request), KeyScope.WEBHOOKS)
        try:
            answer = view(request, *args, key=key, **kwargs)
        except DomainError as refused:
            keys.record_use(key, request, refused.status)
            raise
        status = answer.status_code if isinstance(answer, Status) else 200
        keys.record_use(key, request, status)
        return answer

    # ninja reads the parameters from the signature: `key` is not one the client sends
    signature = inspect.signature(view)
    run.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[p for p in signature.parameters.values() if p.name != "key"]
    )
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
    response={201: SubscriptionCreatedOut, **PUBLIC_ERRORS},
    summary="订阅诉求事件 (subscribe)",
)
@with_key
def create_subscription(
    request: HttpRequest, body: SubscriptionIn, *, key: ApiKey
) -> Status[dict[str, Any]]:
    subscription = services.subscribe(key=key, url=body.url, kinds=body.kinds, secret=body.secret)
    return Status(201, {**subscription_out(subscription), "secret": subscription.secret})


@router.get(
    "/webhooks/subscriptions",
    response={200: list[SubscriptionOut], **PUBLIC_ERRORS},
    summary="订阅列表",
)
@with_key
def list_subscriptions(request: HttpRequest, *, key: ApiKey) -> list[dict[str, Any]]:
    return [subscription_out(s) for s in selectors.subscriptions_of(key)]


@router.delete(
    "/webhooks/subscriptions/{subscription_id}",
    response={204: None, **PUBLIC_ERRORS},
    summary="取消订阅",
)
@with_key
def delete_subscription(request: HttpRequest, subscription_id: int, *, key: ApiKey) -> Status[None]:
    services.unsubscribe(subscription_id, key=key)
    return Status(204, None)


@router.get(
    "/webhooks/subscriptions/{subscription_id}/deliveries",
    response={200: list[DeliveryOut], **PUBLIC_ERRORS},
    summary="推送记录",
)
@with_key
def list_deliveries(
    request: HttpRequest, subscription_id: int, status: str = "", limit: int = 100, *, key: ApiKey
) -> list[dict[str, Any]]:
    found = selectors.deliveries_of(key, subscription_id, status=status, limit=limit)
    return [delivery_out(d) for d in found]


@router.get("/webhooks/kinds", response={200: list[str], **PUBLIC_ERRORS}, summary="事件类型")
@with_key
def list_kinds(request: HttpRequest, *, key: ApiKey) -> list[str]:
    return services.event_kinds()
