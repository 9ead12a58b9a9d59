"""Every write goes through the one write path: each event the API records is declared in
the transition table, and the events say who held the case when (全周期问责)."""

from __future__ import annotations

import json

from cityloop.appeals.transitions import TRANSITIONS


def post(client, url, payload=None):
    return client.post(url, data=json.dumps(payload or {}), content_type="application/json")


def timeline(client, code):
    response = client.get(f"/api/appeals/{code}/timeline")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_merge_records_on_the_case_that_carries_on_an_event_the_table_declares(city):
    dispatcher = city.client("dispatcher")
    target = city.receive().tracking_code
    duplicate = city.receive(caller_phone="13900139001").tracking_code
    version_before = timeline(dispatcher, target)[-1]["seq"]

    merged = post(
        dispatcher, f"/api/appeals/{duplicate}/merge", {"into_code": target, "reason": "重复来电"}
    )
    assert merged.status_code == 200, merged.content

    note = timeline(dispatcher, target)[-1]
    assert note["action"] == "merged_in" and note["action_label"] == "并入重复诉求"
    assert note["seq"] == version_before + 1
    assert f"合并诉求 {duplicate}：重复来电" in note["reason"]
    transition = TRANSITIONS.get("merged_in")
    assert transition is not None
    assert note["from_status"] in transition.sources and note["to_status"] == note["from_status"]
