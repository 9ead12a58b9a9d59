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


def test_the_timeline_names_every_change_of_who_holds_the_case(city):
    dispatcher = city.client("dispatcher")
    first, second = city.street_offices[0], city.street_offices[1]
    water = city.water
    created = post(
        city.client("calltaker"),
        "/api/appeals",
        {
            "channel": "phone",
            "title": "路灯不亮",
            "content": "光华路1号院门口的路灯坏了一周",
            "caller_phone": "13800138000",
            "standard_address_code": city.addresses[0].code,
            "category_code": city.category("城乡建设", "城市建设和市政管理", "城市公共设施").code,
            "auto_dispatch": False,
        },
    )
    assert created.status_code == 201, created.content
    code = created.json()["tracking_code"]
    steps = [
        (dispatcher, "dispatch", {"unit_code": first.code, "assist_unit_codes": [water.code]}),
        (city.client("handler1"), "send-back", {"reason": "不属本单位职责"}),
        (dispatcher, "dispatch", {"unit_code": second.code}),
        (city.client("waterman"), "sign-for", {}),
        (city.client("handler2"), "sign-for", {}),
        (city.client("waterman"), "reply", {"text": "水务部分已处理"}),
        (city.client("handler2"), "reply", {"text": "已更换灯泡，路灯恢复照明。"}),
    ]
    for client, step, payload in steps:
        response = post(client, f"/api/appeals/{code}/{step}", payload)
        assert response.status_code == 200, (step, response.content)

    named = [
        (event["action"], change["unit"], change["role"], change["from"], change["to"])
        for event in timeline(dispatcher, code)
        for change in event["changes"].get("assignments", [None, []])[1]
    ]
    assert named == [
        ("dispatch", first.code, "main", "", "pending"),
        ("add_assist", water.code, "assist", "", "pending"),
        ("send_back", first.code, "main", "pending", "sent_back"),
        ("dispatch", second.code, "main", "", "pending"),
        ("assist_sign_for", water.code, "assist", "pending", "signed"),
        ("sign_for", second.code, "main", "pending", "signed"),
        ("assist_reply", water.code, "assist", "signed", "replied"),
        ("reply", second.code, "main", "signed", "replied"),
    ]
    # replaying the events gives the assignments as they stand
    held: dict[tuple[str, str], str] = {}
    for _action, unit, role, _before, after in named:
        held[unit, role] = after
    detail = dispatcher.get(f"/api/appeals/{code}").json()
    assert held == {(a["unit"]["code"], a["role"]): a["status"] for a in detail["assignments"]}


def test_a_redispatch_records_the_withdrawn_unit_and_the_new_one(city):
    code = city.receive().tracking_code
    first, second = city.street_offices[0], city.street_offices[1]
    assert post(city.client("handler1"), f"/api/appeals/{code}/sign-for").status_code == 200
    moved = post(
        city.client("dispatcher"),
        f"/api/appeals/{code}/redispatch",
        {"unit_code": second.code, "reason": "属于相邻街道"},
    )
    assert moved.status_code == 200, moved.content
    last = timeline(city.client("dispatcher"), code)[-1]
    assert last["action"] == "redispatch"
    assert [(c["unit"], c["from"], c["to"]) for c in last["changes"]["assignments"][1]] == [
        (first.code, "signed", "withdrawn"),
        (second.code, "", "pending"),
    ]
