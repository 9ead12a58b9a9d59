"""Small per-process caches of configuration rows (areas, rules, policies, categories, the
model in use, message templates).

Configuration changes rarely and is read on every intake, so each process keeps a copy for
at most TTL seconds: an administrator's edit reaches every server process within that time.
A change saved through the ORM to a model registered with `forget_on_change` clears the
copies of the process that made it at once (the admin, a retrain, a test). Tests clear them
between cases."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any, TypeVar

from django.db.models import Model
from django.db.models.signals import post_delete, post_save

TTL_SECONDS = 30
F = TypeVar("F", bound=Callable[..., Any])
_registered: list[Any] = []
_on_clear: list[Callable[[], None]] = []


def _epoch() -> int:
    return int(time.monotonic() // TTL_SECONDS)


def config_cache(function: F) -> F:
    """Cache a function of hashable arguments for TTL_SECONDS in this process. Only the
    current period's copies are kept: the first call of a new period drops the old ones
    (kept until evicted, they grew each server worker by ~10 MB a minute under load)."""
    cached = lru_cache(maxsize=4096)(function)
    _registered.append(cached)
    filled_in = [_epoch()]

    @wraps(function)
    def wrapper(*args: Any) -> Any:
        epoch = _epoch()
        if epoch != filled_in[0]:
            filled_in[0] = epoch
            cached.cache_clear()
        return cached(*args)

    return wrapper  # type: ignore[return-value]


def clear_config_caches() -> None:
    for cached in _registered:
        cached.cache_clear()
    for forget in _on_clear:
        forget()


def on_clear(forget: Callable[[], None]) -> None:
    """Also call `forget` when the copies are cleared (an index built from configuration)."""
    _on_clear.append(forget)


def _forget(sender: type[Model], **_kw: Any) -> None:
    clear_config_caches()


def forget_on_change(*models: type[Model]) -> None:
    """Clear this process's copies when a row of one of these models is saved or deleted
    (bulk writes send no signal: they are seen within the TTL)."""
    for model in models:
        uid = f"cityloop.config_cache.{model._meta.label}"
        post_save.connect(_forget, sender=model, dispatch_uid=uid, weak=False)
        post_delete.connect(_forget, sender=model, dispatch_uid=uid, weak=False)
