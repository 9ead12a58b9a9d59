"""The appeal page offers the actions the one rule allows (transition table + scope): the
same buttons as the services accept, per role and per unit."""

from __future__ import annotations

import json
import re

import pytest


def buttons(city, username, code):
    page = city.client(username).get(f"/appeals/{code}/")
    if page.status_code != 200:
        return page.status_code
    return re.findall(rf'action="/appeals/{code}/(\w+)/"', page.content.decode())


def post(client, url, payload=None):
    return client.post(url, data=json.dumps(payload or {}), content_type="application/json")


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("handler1", ["sign_for", "send_back", "attach"]),
        ("supervisor", ["supervise", "attach"]),
        ("district_supervisor", ["supervise", "attach"]),
        ("dispatcher", ["attach"]),
    ],
)
def test_a_dispatched_appeal_shows_each_role_its_buttons(city, username, expected):
    code = city.receive().tracking_code
    assert buttons(city, username, code) == expected


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        (
            "handler1",
            [
                "reply",
                "record_contact",
                "request_extension",
                "defer",
                "send_back",
                "attach",
            ],
        ),
        ("supervisor", ["supervise", "attach"]),
        ("dispatcher", ["attach"]),
    ],
)
def test_a_signed_appeal_shows_each_role_its_buttons(city, username, expected):
    code = city.receive().tracking_code
    assert post(city.client("handler1"), f"/api/appeals/{code}/sign-for").status_code == 200
    assert buttons(city, username, code) == expected


def test_a_co_handling_unit_sees_only_the_steps_it_may_take(city):
    code = city.receive().tracking_code
    dispatcher = city.client("dispatcher")
    added = post(dispatcher, f"/api/appeals/{code}/assist", {"unit_code": city.water.code})
    assert added.status_code == 200, added.content
    # it signs for its part (or replies at once); sending back is the main unit's step
    assert buttons(city, "waterman", code) == ["sign_for", "reply", "attach"]
    refused = post(city.client("waterman"), f"/api/appeals/{code}/send-back", {"reason": "x"})
    assert refused.status_code == 403
    assert post(city.client("waterman"), f"/api/appeals/{code}/sign-for").status_code == 200
    # once signed, it may reply its part
    assert buttons(city, "waterman", code) == ["reply", "attach"]
    replied = city.client("waterman").post(
        f"/appeals/{code}/reply/", {"text": "水务部分已处理"}, follow=True
    )
    assert replied.status_code == 200
    detail = city.client("dispatcher").get(f"/api/appeals/{code}").json()
    assert [(a["role"], a["status"]) for a in detail["assignments"]] == [
        ("main", "pending"),
        ("assist", "replied"),
    ]
    assert buttons(city, "handler1", code) == ["sign_for", "send_back", "attach"]
