"""The use cases a page once composed itself (issue 12) are one service each now: a submit
either does all of its steps or none. Driven through the pages, as the browser posts."""

from __future__ import annotations

from cityloop.appeals.models import Appeal

LIGHT = ("城乡建设", "城市建设和市政管理", "城市公共设施")


def test_a_console_call_merged_into_an_unknown_case_is_not_received_either(city):
    before = Appeal.objects.count()
    page = city.client("calltaker").post(
        "/console/",
        {
            "caller_phone": "13900139002",
            "content": "光华路1号院门口路灯还是不亮",
            "standard_address_code": city.addresses[0].code,
            "category_code": city.category(*LIGHT).code,
            "merge_into": "260101ZZZZZZ",
        },
    )
    assert page.status_code == 400
    assert "查询码 260101ZZZZZZ 对应的诉求不存在" in page.content.decode()
    assert Appeal.objects.count() == before, "received and merged, or neither"


def test_the_queue_sets_category_and_place_together_or_not_at_all(city):
    appeal = city.receive(category_code="", standard_address_code="", address_text="某处")
    version = appeal.version
    page = city.client("dispatcher").post(
        f"/queue/{appeal.tracking_code}/place/",
        {"category_code": city.category(*LIGHT).code, "place_code": "NOWHERE"},
        follow=True,
    )
    assert "标准地址或网格编码不存在：NOWHERE" in page.content.decode()
    appeal.refresh_from_db()
    assert appeal.category is None and appeal.version == version, "nothing changed"


def test_the_queue_says_what_to_fill_in_when_the_place_form_is_empty(city):
    appeal = city.receive(category_code="", standard_address_code="", address_text="某处")
    page = city.client("dispatcher").post(f"/queue/{appeal.tracking_code}/place/", follow=True)
    assert "请填写分类，或标准地址/网格编码，或经纬度" in page.content.decode()


def test_an_attachment_that_does_not_exist_is_not_found(city):
    page = city.client("handler1").get("/attachments/999999/")
    assert page.status_code == 404
