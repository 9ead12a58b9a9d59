"""Each role lands on its own work after login; a safe `next` still wins; the language
switch names each language in itself."""

from __future__ import annotations

import pytest
from django.test import Client

from cityloop.testing import PASSWORD

LANDING = {
    "calltaker": "/console/",
    "dispatcher": "/queue/",
    "handler1": "/worklist/",
    "supervisor": "/board/",
    "analyst": "/assessment/",
    "admin": "/board/",
}


def _log_in(client: Client, username: str, next_url: str = "") -> str:
    url = f"/accounts/login/?next={next_url}" if next_url else "/accounts/login/"
    response = client.post(url, {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


@pytest.mark.parametrize("username", list(LANDING))
def test_each_role_lands_on_its_work_and_may_open_it(city, client, username):
    if username == "admin":
        city.admin_client()
    landing = _log_in(client, username)
    assert landing == LANDING[username]
    assert client.get(landing).status_code == 200


def test_a_safe_next_wins_over_the_landing(city, client):
    code = city.receive(title="", content="小区门口路灯不亮").tracking_code
    assert _log_in(client, "handler1", f"/appeals/{code}/") == f"/appeals/{code}/"


def test_a_page_that_asked_for_login_is_where_the_user_returns(city, client):
    asked = client.get("/board/")
    assert asked.status_code == 302
    login_form = client.get(asked["Location"]).content.decode()
    assert 'name="next" value="/board/"' in login_form
    response = client.post(
        asked["Location"], {"username": "supervisor", "password": PASSWORD, "next": "/board/"}
    )
    assert response["Location"] == "/board/"


def test_the_login_form_shown_again_after_a_wrong_password(city, client):
    response = client.post("/accounts/login/", {"username": "calltaker", "password": "wrong"})
    assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()


@pytest.mark.parametrize("username", ["calltaker", "dispatcher", "handler1", "analyst"])
def test_the_home_page_leads_staff_to_their_work(city, username):
    page = city.client(username).get("/").content.decode()
    link = page.split('data-testid="my-work"')[0].rsplit("<a", 1)[1]
    assert f'href="{LANDING[username]}"' in link


def test_the_public_home_page_has_no_work_link(client, city):
    assert 'data-testid="my-work"' not in client.get("/").content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_language_switch_names_each_language_in_itself(client, city, language):
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    page = client.get("/report/").content.decode()
    switch = page.split('name="language"')[1].split("</select>")[0]
    assert '<option value="en" lang="en"' in switch and ">English</option>" in switch
    assert ">中文</option>" in switch
    assert "英语" not in switch and "Chinese" not in switch
