"""Understanding at intake, as staff meet it through the API: suggestions with the model
version, low confidence waiting for a person, corrections and retraining, urgency, address
placement, duplicates, a caller's history and the reply check."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cityloop.appeals.models import Appeal
from cityloop.classify.models import ClassifierModel, Correction, UnderstandingSettings
from cityloop.classify.services import train_and_register
from cityloop.taxonomy.services import PATH_SEPARATOR
from cityloop.testing import post_json

HEATING = ("城乡建设", "城市建设和市政管理", "冬季采暖")
NOISE = ("环境保护", "环境污染", "噪音污染")
WAGES = ("劳动和社会保障", "工资福利", "工资发放")
CORPUS = {
    HEATING: [
        "暖气不热室温只有十四度",
        "家里暖气片冰凉供暖不达标",
        "供暖季暖气还是不热",
        "暖气温度太低老人孩子受冻",
        "小区暖气一直不热交了供暖费",
    ],
    NOISE: [
        "工地夜间施工噪音太大",
        "广场舞音响噪音扰民",
        "楼下饭店噪音吵得睡不着",
        "装修噪音从早到晚",
        "商铺音响噪音很大",
    ],
    WAGES: [
        "公司拖欠工资三个月",
        "老板不发工资找不到人",
        "包工头拖欠农民工工资",
        "单位克扣工资不发绩效",
        "工资一直拖欠没有发放",
    ],
}


def train_small_model():
    texts, labels = [], []
    for path, sentences in CORPUS.items():
        for sentence in sentences:
            texts.append(sentence)
            labels.append(PATH_SEPARATOR.join(path))
    return train_and_register(
        texts, labels, trained_on="test corpus", holdout=0.2, progress=lambda _: None
    )


def test_without_a_model_the_appeal_waits_for_a_person(city):
    client = city.client("calltaker")
    created = post_json(client, "/api/appeals", {"content": "暖气不热室温只有十四度"}).json()
    assert created["status"] == "received" and created["main_unit"] is None
    preview = post_json(client, "/api/understand", {"text": "暖气不热"}).json()
    assert preview["model"] is None and preview["categories"] == []


def test_confident_suggestion_classifies_and_dispatches_by_itself(city):
    outcome = train_small_model()
    assert outcome.activated and outcome.record.is_active
    client = city.client("calltaker")
    created = post_json(
        client,
        "/api/appeals",
        {
            "content": "家里暖气不热，室温只有十四度",
            "standard_address_code": city.addresses[0].code,
        },
    ).json()
    appeal = Appeal.objects.get(tracking_code=created["tracking_code"])
    assert appeal.category.path == PATH_SEPARATOR.join(HEATING)
    assert appeal.status == "dispatched"
    suggestion = appeal.suggestions.get()
    assert suggestion.auto_applied and suggestion.model == outcome.record
    event = appeal.events.get(action="classify")
    assert outcome.record.name in event.reason
    listed = client.get(f"/api/appeals/{appeal.tracking_code}/suggestions").json()
    assert listed[0]["model"] == outcome.record.name
    assert listed[0]["categories"][0]["path"] == PATH_SEPARATOR.join(HEATING)


def test_low_confidence_waits_then_a_correction_is_learned(city):
    first = train_small_model().record
    settings = UnderstandingSettings.current()
    settings.auto_dispatch_confidence = Decimal("0.99")
    settings.save()
    client = city.client("calltaker")
    created = post_json(
        client,
        "/api/appeals",
        {
            "content": "楼下这个情况麻烦尽快处理一下",
            "standard_address_code": city.addresses[0].code,
        },
    ).json()
    code = created["tracking_code"]
    assert created["status"] == "received", "unsure: waits for a dispatcher"
    listed = city.client("dispatcher").get(f"/api/appeals/{code}/suggestions").json()
    top = listed[0]["categories"]
    assert len(top) == 3 and top[0]["confidence"] >= top[1]["confidence"]
    assert listed[0]["auto_applied"] is False
    # the dispatcher reads it and chooses a category the model did not put first
    chosen = next(p for p in CORPUS if PATH_SEPARATOR.join(p) != top[0]["path"])
    chosen_code = city.category(*chosen).code
    dispatched = post_json(
        city.client("dispatcher"),
        f"/api/appeals/{code}/dispatch",
        {"category_code": chosen_code, "reason": "来电人补充说明"},
    )
    assert dispatched.status_code == 200, dispatched.content
    correction = Correction.objects.get(appeal__tracking_code=code)
    assert correction.corrected_code == chosen_code and correction.model_name == first.name

    second = train_small_model()
    assert second.record.metrics["previous_model"] == first.name
    assert second.record.metrics["previous_holdout_macro_f1"] is not None
    assert ClassifierModel.objects.filter(is_active=True).count() == 1


def test_a_model_from_an_older_format_is_ignored_until_retrained(city):
    old = train_small_model().record
    ClassifierModel.objects.filter(pk=old.pk).update(payload=b"not a model of this version")
    from cityloop.classify import services

    services._loaded.clear()
    created = post_json(
        city.client("calltaker"),
        "/api/appeals",
        {
            "content": "暖气不热室温只有十四度",
            "standard_address_code": city.addresses[0].code,
        },
    ).json()
    assert created["status"] == "received", "no usable model: a person decides"
    retrained = train_small_model()
    assert retrained.activated and retrained.old_holdout is None


def test_emergency_is_flagged_at_intake_with_reasons(city):
    created = post_json(
        city.client("calltaker"),
        "/api/appeals",
        {
            "content": "3号楼楼道里燃气味很浓，好几家都闻到了",
            "category_code": city.category("城乡建设", "城市建设和市政管理", "燃气供应").code,
            "standard_address_code": city.addresses[0].code,
        },
    ).json()
    appeal = Appeal.objects.get(tracking_code=created["tracking_code"])
    assert appeal.urgency == "emergency"
    assert "疑似燃气泄漏" in appeal.events.get(action="flag_urgent").reason
    assert (appeal.reply_due_at - appeal.received_at).total_seconds() == 2 * 3600


def test_address_in_the_text_places_the_appeal(city):
    address = city.addresses[1]
    created = post_json(
        city.client("calltaker"),
        "/api/appeals",
        {
            "content": f"我家住在{address.full_text}，楼下路灯坏了",
            "category_code": city.category("城乡建设", "城市建设和市政管理", "城市公共设施").code,
        },
    ).json()
    appeal = Appeal.objects.get(tracking_code=created["tracking_code"])
    assert appeal.standard_address == address and appeal.grid == city.grids[1]
    assert created["main_unit"]["code"] == city.street_offices[1].code
    assert "道路" in appeal.events.get(action="locate").reason

    nowhere = post_json(
        city.client("calltaker"), "/api/appeals", {"content": "公司拖欠工资"}
    ).json()
    event = Appeal.objects.get(tracking_code=nowhere["tracking_code"]).events.get(action="locate")
    assert "未能匹配" in event.reason


def test_duplicates_and_caller_history(city):
    client = city.client("calltaker")
    payload = {
        "content": "光华路1号院门口的路灯坏了好几天",
        "caller_phone": "13800001111",
        "category_code": city.category("城乡建设", "城市建设和市政管理", "城市公共设施").code,
        "standard_address_code": city.addresses[0].code,
    }
    first = post_json(client, "/api/appeals", payload).json()["tracking_code"]
    second = post_json(client, "/api/appeals", {**payload, "caller_phone": "13900002222"}).json()[
        "tracking_code"
    ]
    candidates = client.get(f"/api/appeals/{second}/duplicates").json()
    assert candidates[0]["tracking_code"] == first
    assert "同一标准地址" in candidates[0]["reasons"]
    history = post_json(client, "/api/callers/appeals", {"phone": "+8613800001111"}).json()
    assert [h["tracking_code"] for h in history] == [first]


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("网友您好，留言已收悉，已转相关部门处理。", True),
        (
            "经核实，光华路1号院门口路灯因线路老化损坏，我单位已于当日安排维修人员更换灯具，路灯已恢复照明。"
            "根据城市照明管理规定，我单位将加强巡查，如仍有问题可拨打66001234。",
            False,
        ),
    ],
)
def test_weak_replies_are_flagged_to_supervisors(city, text, flagged):
    client = city.client("calltaker")
    code = post_json(
        client,
        "/api/appeals",
        {
            "content": "光华路1号院门口的路灯坏了好几天",
            "category_code": city.category("城乡建设", "城市建设和市政管理", "城市公共设施").code,
            "standard_address_code": city.addresses[0].code,
        },
    ).json()["tracking_code"]
    handler = city.client("handler1")
    post_json(handler, f"/api/appeals/{code}/sign-for")
    check = post_json(handler, f"/api/appeals/{code}/reply-check", {"text": text}).json()
    assert check["ok"] is (not flagged)
    post_json(handler, f"/api/appeals/{code}/reply", {"text": text})
    listed = city.client("supervisor").get("/api/replies/flagged").json()
    assert (code in [row["tracking_code"] for row in listed]) is flagged
