"""Small per-process caches of configuration rows (areas, rules, policies, categories).

Configuration changes rarely and is read on every intake, so each process keeps a copy for
at most TTL seconds: an administrator's edit reaches every server process within that time.
Tests clear them between cases."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any, TypeVar

TTL_SECONDS = 30
F = TypeVar("F", bound=Callable[..., Any])
_registered: list[Any] = []


def config_cache(function: F) -> F:
    """Cache a function of hashable arguments for TTL_SECONDS in this process."""
    cached = lru_cache(maxsize=4096)(lambda epoch, *args: function(*args))
    _registered.append(cached)

    @wraps(function)
    def wrapper(*args: Any) -> Any:
        return cached(int(time.monotonic() // TTL_SECONDS), *args)

    return wrapper  # type: ignore[return-value]


def clear_config_caches() -> None:
    for cached in _registered:
        cached.cache_clear()
