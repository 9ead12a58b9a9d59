"""What each role sees on the home page, who may see the assessment, where a step that
ends the handler's hold lands, and that `next` never leaves the site."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from cityloop.appeals.models import Appeal
from cityloop.handling.services import reply, sign_for
from cityloop.kernel import clock
from cityloop.oversight.services import request_extension
from cityloop.testing import PASSWORD


def two_streets(city):
    """One appeal for each street office; the first replied and rated, so the month has a
    ranking."""
    first = city.receive(content="建外路灯不亮")
    second = city.receive(street=1, content="朝外路灯不亮")
    sign_for(first.tracking_code, actor=city.actor("handler1"))
    reply(first.tracking_code, actor=city.actor("handler1"), text="已更换灯泡")
    return first.tracking_code, second.tracking_code


def test_anonymous_visitors_get_a_public_landing_page_without_unit_figures(city, client):
    first, second = two_streets(city)
    response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="public-home"' in page
    assert 'href="/report/"' in page and 'action="/track/"' in page
    assert first not in page and second not in page
    assert "办事处" not in page and "三率排名" not in page, "no unit and no ranking"


def test_a_handler_sees_only_its_own_units_appeals_on_the_home_page(city):
    first, second = two_streets(city)
    page = city.client("handler1").get("/").content.decode()
    recent = page.split('data-testid="recent"')[1].split("</table>")[0]
    assert first in recent and second not in recent
    assert 'data-testid="ranking"' not in page, "the ranking is for the roles that assess"


def test_centre_staff_see_the_city_and_assessing_roles_the_ranking(city):
    first, second = two_streets(city)
    calltaker = city.client("calltaker").get("/").content.decode()
    assert first in calltaker and second in calltaker
    assert 'data-testid="ranking"' not in calltaker
    analyst = city.client("analyst").get("/").content.decode()
    assert first in analyst and second in analyst and 'data-testid="ranking"' in analyst


@pytest.mark.parametrize(
    ("username", "allowed"),
    [("analyst", True), ("supervisor", True), ("handler1", False), ("calltaker", False)],
)
def test_the_assessment_api_and_page_follow_one_rule(city, username, allowed):
    client = city.client(username)
    month = clock.now().strftime("%Y-%m")
    api = client.get(f"/api/assessment?month={month}")
    page = client.get(f"/assessment/?month={month}")
    assert api.status_code == page.status_code == (200 if allowed else 403), (username, api)
    if not allowed:
        assert api.json()["code"] == "role_not_allowed"


def test_a_send_back_from_the_appeal_page_lands_on_the_worklist_with_the_message(city):
    code = city.receive().tracking_code
    office = city.client("handler1")
    response = office.post(f"/appeals/{code}/send_back/", {"reason": "不属本单位职责"})
    assert response.status_code == 302 and response["Location"] == "/worklist/"
    assert Appeal.objects.get(tracking_code=code).status == "sent_back"
    worklist = office.get(response["Location"])
    assert worklist.status_code == 200
    assert "已完成：退单" in worklist.content.decode()


def test_an_assisting_units_reply_from_the_page_lands_on_its_worklist(city):
    code = city.receive(assist_unit_codes=["WATER"]).tracking_code
    water = city.client("waterman")
    assert water.post(f"/appeals/{code}/sign_for/").status_code == 302
    response = water.post(f"/appeals/{code}/reply/", {"text": "已关闭阀门配合维修"})
    assert response.status_code == 302 and response["Location"] == "/worklist/"
    assert "已完成：办结答复" in [str(m) for m in get_messages(response.wsgi_request)]


def test_a_step_that_keeps_the_hold_stays_on_the_appeal(city):
    code = city.receive().tracking_code
    response = city.client("handler1").post(f"/appeals/{code}/sign_for/")
    assert response.status_code == 302 and response["Location"] == f"/appeals/{code}/"


EVIL_NEXT = [
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "javascript:alert(1)",
    "http:///evil.example",
]


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_login_redirects_only_inside_the_site(city, client, target):
    response = client.post(
        f"/accounts/login/?next={target}", {"username": "handler1", "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/worklist/"


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_the_language_switch_redirects_only_inside_the_site(client, target):
    response = client.post("/i18n/setlang/", {"language": "en", "next": target})
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_page_posts_with_next_redirect_only_inside_the_site(city, target):
    code = city.receive(title="", content="小区门口路灯不亮", auto_dispatch=False).tracking_code
    queue = city.client("dispatcher").post(
        f"/queue/{code}/dispatch/", {"unit_code": "ST-110105001", "next": target}
    )
    assert queue.status_code == 302 and queue["Location"] == "/queue/"
    board = city.client("supervisor").post(
        "/board/extensions/999999/", {"decision": "approve", "next": target}
    )
    assert board.status_code in (302, 404) and "evil" not in board.get("Location", "")
    sign_for(code, actor=city.actor("handler1"))
    request = request_extension(
        code, actor=city.actor("handler1"), extra_working_days=2, reason="需协调"
    )
    board = city.client("supervisor").post(
        f"/board/extensions/{request.pk}/", {"decision": "approve", "next": target}
    )
    assert board.status_code == 302 and board["Location"] == "/board/"


def test_page_posts_still_follow_a_next_inside_the_site(city):
    code = city.receive(title="", content="小区门口路灯不亮", auto_dispatch=False).tracking_code
    response = city.client("dispatcher").post(
        f"/queue/{code}/dispatch/", {"unit_code": "ST-110105001", "next": "/queue/?page=2"}
    )
    assert response["Location"] == "/queue/?page=2"
