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
    from cityloop.appeals.services import AppealDraft, receive_appeal

    appeal = receive_appeal(
        AppealDraft(
            channel="phone",
            title="",
            content="路灯不亮",
            standard_address_code=city.addresses[0].code,
            category_code=city.category("城乡建设", "城市建设和市政管理", "城市公共设施").code,
        ),
        actor=city.actor("calltaker"),
    )
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
