"""Every list endpoint costs the same number of queries however many rows it lists: a page
of 50 appeals must not look up each appeal's units, areas or assignments one by one."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cityloop.testing import TinyCity


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(url)
    assert answer.status_code == 200, answer.content[:300]
    return len(captured.captured_queries)


def _add_appeals(city: TinyCity, count: int) -> None:
    for number in range(count):
        appeal = city.receive(street=number % len(city.streets))
        if number % 2:  # some with a co-handling unit: two assignment rows
            from cityloop.dispatch.services import add_assist

            add_assist(
                appeal.tracking_code, actor=city.actor("dispatcher"), unit_code=city.water.code
            )


LISTS = [
    ("supervisor", "/api/appeals?limit=100"),
    ("supervisor", "/api/appeals?limit=100&status=dispatched"),
    ("calltaker", "/api/appeals?limit=100"),
    ("handler1", "/api/appeals?limit=100"),
    ("analyst", "/api/appeals?limit=100"),  # the public text stands in for the original
    (None, "/open311/v2/requests.json"),
]


@pytest.mark.parametrize(("username", "url"), LISTS)
def test_a_list_costs_the_same_queries_for_3_rows_and_for_12(
    city: TinyCity, username: str | None, url: str
) -> None:
    from django.test import Client

    client = city.client(username) if username else Client()
    _add_appeals(city, 3)
    client.get(url)  # the first request fills the per-process caches
    few = _queries(client, url)
    _add_appeals(city, 9)
    many = _queries(client, url)
    assert many == few, f"{url}: {few} queries for 3 appeals, {many} for 12"
