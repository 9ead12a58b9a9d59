"""The hot pages ask the database a fixed number of questions, however many appeals there are:
each page is counted with a little data, then asserted to stay within that count with three
times as much (an N+1 shows as growth), and within a ceiling."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cityloop.dispatch.services import send_back
from cityloop.evaluate.services import record_callback
from cityloop.handling.services import reply, sign_for
from cityloop.intake.services import AppealDraft, receive_appeal
from cityloop.oversight.services import request_extension, supervise

# the configuration caches must not expire between the warm-up and the counted request
pytestmark = pytest.mark.usefixtures("still_clocks")

# (page, who opens it, the most queries it may take)
HOT_PAGES = [
    ("/console/", "calltaker", 8),
    ("/queue/", "dispatcher", 12),
    ("/worklist/", "handler1", 9),
    ("/board/", "supervisor", 14),
    ("/assessment/", "supervisor", 18),
]


def add_a_round_of_appeals(city) -> None:
    """One appeal in each state the hot pages list: waiting for dispatch, sent back, held and
    not signed for, signed with an extension asked, supervised, replied and called back."""
    waiting = AppealDraft(
        channel="phone",
        title="噪音扰民",
        content="楼下商铺夜间施工",
        caller_phone="13800138001",
        standard_address_code=city.addresses[0].code,
    )
    receive_appeal(waiting, actor=city.actor("calltaker"), auto_dispatch=False)
    handler1, handler2 = city.actor("handler1"), city.actor("handler2")
    send_back(city.receive().tracking_code, actor=handler1, reason="不属本街道职责")
    city.receive()
    extended = city.receive(street=1).tracking_code
    sign_for(extended, actor=handler2)
    request_extension(extended, actor=handler2, extra_working_days=3, reason="需协调施工单位")
    supervised = city.receive(street=1).tracking_code
    supervise(
        supervised,
        actor=city.actor("supervisor"),
        requirement="请尽快处理",
        respond_within_hours=24,
    )
    called_back = city.receive().tracking_code
    sign_for(called_back, actor=handler1)
    reply(called_back, actor=handler1, text="已更换灯泡，路灯恢复照明。")
    record_callback(
        called_back,
        actor=city.actor("calltaker"),
        contacted=True,
        resolved=True,
        satisfaction="satisfied",
    )


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:500]
    return len(captured)


@pytest.mark.parametrize(("url", "username", "ceiling"), HOT_PAGES)
def test_a_hot_page_takes_the_same_queries_with_three_times_the_appeals(
    city, django_assert_max_num_queries, url, username, ceiling
):
    client = city.client(username)
    add_a_round_of_appeals(city)
    client.get(url)  # caches of configuration rows filled once
    small = queries_of(client, url)
    assert small <= ceiling
    add_a_round_of_appeals(city)
    add_a_round_of_appeals(city)
    with django_assert_max_num_queries(small):
        assert client.get(url).status_code == 200
