"""Pages as the roles meet them: who may open what, English on request, form errors kept."""

from __future__ import annotations

import pytest

STAFF_PAGES = {
    "/console/": {"calltaker", "dispatcher"},
    "/queue/": {"dispatcher"},
    "/worklist/": {"handler1"},
    "/board/": {"supervisor", "district_supervisor"},
    "/assessment/": {"supervisor", "analyst", "dispatcher"},
    "/dashboard/": {"calltaker", "dispatcher", "handler1", "supervisor", "analyst"},
}


@pytest.mark.parametrize("path", list(STAFF_PAGES))
def test_each_role_opens_only_its_pages(city, path):
    for username in ["calltaker", "dispatcher", "handler1", "supervisor", "analyst"]:
        response = city.client(username).get(path)
        allowed = username in STAFF_PAGES[path]
        assert response.status_code == (200 if allowed else 403), (username, path)


def test_pages_ask_for_login_first(client):
    response = client.get("/worklist/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_unit_cannot_open_another_units_appeal(city):
    appeal = city.receive(title="", content="路灯不亮")
    assert appeal.main_unit == city.street_offices[0]
    assert city.client("handler1").get(f"/appeals/{appeal.tracking_code}/").status_code == 200
    assert city.client("handler2").get(f"/appeals/{appeal.tracking_code}/").status_code == 403


def test_english_on_request(client, city):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/report/").content.decode()
    assert "Report a problem" in page and "我要反映问题" not in page
    chinese = client.get("/report/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "Report a problem" in chinese.content.decode(), "the chosen language sticks"


def test_a_failed_report_keeps_what_was_typed(client, city):
    response = client.post(
        "/report/", {"content": "", "caller_phone": "13800001111", "address_text": "光华路1号院"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="error-content"' in page
    assert 'value="13800001111"' in page and "光华路1号院" in page


def test_a_weak_reply_is_shown_to_the_supervisor(city):
    from cityloop.handling.services import reply, sign_for

    appeal = city.receive(title="", content="小区门口路灯不亮已经一周，晚上出行不安全")
    sign_for(appeal.tracking_code, actor=city.actor("handler1"))
    reply(appeal.tracking_code, actor=city.actor("handler1"), text="已收悉。")
    board = city.client("supervisor").get("/board/").content.decode()
    weak = board.split('data-testid="weak-replies"')[1].split("</table>")[0]
    assert appeal.tracking_code in weak and "已收悉" in weak


def test_a_unit_defers_from_the_appeal_page_and_a_bad_date_keeps_the_reason(city):
    from cityloop.appeals.models import Appeal
    from cityloop.handling.services import sign_for

    appeal = city.receive(title="", content="小区旁边的道路需要整体翻修")
    sign_for(appeal.tracking_code, actor=city.actor("handler1"))
    office = city.client("handler1")
    page = office.get(f"/appeals/{appeal.tracking_code}/").content.decode()
    assert 'data-testid="defer"' in page
    url = f"/appeals/{appeal.tracking_code}/defer/"
    refused = office.post(url, {"planned_date": "明年", "reason": "需纳入明年道路大修计划"})
    assert refused.status_code == 400 and "需纳入明年道路大修计划" in refused.content.decode()
    assert Appeal.objects.get(pk=appeal.pk).status == "signed"
    done = office.post(url, {"planned_date": "2099-06-30", "reason": "需纳入明年道路大修计划"})
    assert done.status_code == 302
    assert Appeal.objects.get(pk=appeal.pk).status == "deferred"
