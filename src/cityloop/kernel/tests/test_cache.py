"""The per-process configuration copies: fresh after TTL_SECONDS, and never more than the
current period's (a server runs for months: old periods' copies must not pile up)."""

from __future__ import annotations

from typing import Any

import pytest

from cityloop.kernel import cache


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(cache.time, "monotonic", lambda: now[0])
    return now


def test_a_copy_is_read_again_after_the_ttl_and_the_old_one_is_dropped(
    clock: list[float],
) -> None:
    reads: list[int] = []

    @cache.config_cache
    def rows(kind: str) -> list[Any]:
        reads.append(1)
        return [kind] * 1000

    first = rows("area")
    assert rows("area") is first and len(reads) == 1  # one read within the period
    for _period in range(1, 50):
        clock[0] += cache.TTL_SECONDS
        assert rows("area") is not first
        rows("unit")
    assert len(reads) == 1 + 49 * 2
    kept = cache._registered[-1].cache_info().currsize
    assert kept == 2, f"{kept} copies kept: the old periods' piled up"


def test_clearing_forgets_every_copy_at_once(clock: list[float]) -> None:
    reads: list[int] = []

    @cache.config_cache
    def settings() -> int:
        reads.append(1)
        return len(reads)

    assert settings() == 1
    cache.clear_config_caches()
    assert settings() == 2
