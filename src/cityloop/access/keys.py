"""Keys for outside systems: issued and revoked by administrators, stored hashed, checked for
scope and rate on every request, every use logged. One place for the rule, called by Open311,
the sensor endpoint and the webhooks."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cityloop.access.actors import Actor
from cityloop.kernel import clock, throttle
from cityloop.kernel.errors import DomainError, NotFound, PermissionDenied, TooManyRequests
from cityloop.org.models import ApiKey, ApiKeyUse, KeyScope, Role, Unit

KEY_PREFIX = "cl_"


def digest_of(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_key(
    *,
    actor: Actor,
    name: str,
    scopes: Iterable[str],
    units: Iterable[Unit] = (),
    organisation: str = "",
    rate_per_minute: int = 120,
) -> tuple[ApiKey, str]:
    """A new key; the raw key is returned once and never stored."""
    _check_admin(actor)
    scopes = sorted(set(scopes))
    unknown = [scope for scope in scopes if scope not in KeyScope.values]
    if unknown or not scopes:
        raise DomainError(
            "invalid_scopes", _("权限范围无效：%(scopes)s"), scopes=", ".join(unknown)
        )
    if not 1 <= rate_per_minute <= 100_000:
        raise DomainError("invalid_rate", _("每分钟上限须在 1 到 100000 之间"))
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        key = ApiKey.objects.create(
            name=name.strip() or "outside system",
            organisation=organisation,
            digest=digest_of(raw),
            prefix=raw[:10],
            scopes=scopes,
            rate_per_minute=rate_per_minute,
            issued_by=actor.user,
            issued_at=clock.now(),
        )
        key.units.set(list(units))
    return key, raw


def revoke_key(key_id: int, *, actor: Actor) -> ApiKey:
    _check_admin(actor)
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().filter(pk=key_id).first()
        if key is None:
            raise NotFound("key_not_found", _("密钥不存在"))
        if key.revoked_at is None:
            key.revoked_at, key.revoked_by = clock.now(), actor.user
            key.save(update_fields=["revoked_at", "revoked_by"])
    return key


def authenticate(request: HttpRequest, raw: str | None, scope: str) -> ApiKey:
    """The key `raw` if it is valid, not revoked, has `scope` and is within its rate; else a
    403 (missing, unknown, revoked, out of scope) or 429. Unknown keys are counted per
    address like bad bearer tokens, so keys cannot be guessed at speed."""
    if not raw:
        raise PermissionDenied("api_key_required", _("缺少 api_key"))
    key = ApiKey.objects.filter(digest=digest_of(raw)).first()
    if key is None:
        throttle.spend(request, "token_failure_per_ip", throttle.client_ip(request))
        raise PermissionDenied("api_key_invalid", _("api_key 无效"))
    if key.revoked_at is not None:
        raise PermissionDenied("api_key_revoked", _("api_key 已被吊销"))
    if scope not in key.scopes:
        raise PermissionDenied("api_key_scope", _("该 api_key 无权进行此操作"))
    _spend(key)
    return key


def visible_unit_ids(key: ApiKey) -> set[int] | None:
    """The units whose appeals the key may see; None: the whole city."""
    ids = set(key.units.values_list("pk", flat=True))
    return ids or None


def record_use(key: ApiKey, request: HttpRequest, status: int) -> None:
    at = clock.now()
    ApiKeyUse.objects.create(
        key=key,
        at=at,
        method=request.method or "",
        path=request.path[:300],
        status=status,
        ip=throttle.client_ip(request),
    )
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=at)


def _spend(key: ApiKey) -> None:
    """At most `rate_per_minute` requests in each clock minute, counted in the shared cache
    (every process of the server sees the same count)."""
    now = time.time()
    bucket = f"apikey:{key.pk}:{int(now // 60)}"
    cache.add(bucket, 0, timeout=120)
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, timeout=120)
        count = 1
    if count > key.rate_per_minute:
        raise TooManyRequests(_("请求过于频繁，请稍后再试"), retry_after=max(1, 60 - int(now % 60)))


def _check_admin(actor: Actor) -> None:
    if actor.role != Role.ADMIN:
        raise PermissionDenied("role_not_allowed", _("只有系统管理员可以签发或吊销密钥"))
