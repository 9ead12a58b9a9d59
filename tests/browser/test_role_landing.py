"""Each role lands on its own work (issue 13), clicked in one browser: log in as each demo
role in turn, check where the site sends them, screenshot it, log out. The handler then
opens an appeal: the step that moves it on is shown, the others fold under 更多操作."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from cityloop.appeals.enums import HANDLING_STATUSES
from cityloop.appeals.models import Appeal
from cityloop.demo.generator import generate_demo_city
from tests.browser.test_journeys import Session, browser  # noqa: F401 — the fixture

pytestmark = pytest.mark.browser

LANDING = [
    ("calltaker", "/console/", "话务受理台"),
    ("dispatcher", "/queue/", "派单队列"),
    ("handler", "/worklist/", "承办工作台"),
    ("supervisor", "/board/", "督办看板"),
    ("analyst", "/assessment/", "三率考核排名"),
    ("admin", "/board/", "督办看板"),
]


def test_each_role_lands_on_its_work(live_server, browser):  # noqa: F811
    generate_demo_city(seed=7, appeals=150, days=30, streets_per_district=1)
    url = live_server.url
    person = Session(browser, url)
    for username, path, heading in LANDING:
        person.log_in(username)
        assert person.page.url == f"{url}{path}", username
        assert heading in person.page.locator("h1").inner_text(), username
        person.shot(f"landing-{username}")
        if username == "handler":
            _the_appeal_page_folds_all_but_the_main_step(person)
        person.page.click("header form.inline button")  # 退出
        person.page.wait_for_load_state()
    # a page that asked for the login is where the user returns
    person.go("/assessment/")
    assert "/accounts/login/" in person.page.url
    person.log_in("analyst")
    assert person.page.url == f"{url}/assessment/"
    person.close()


def _the_appeal_page_folds_all_but_the_main_step(person: Session) -> None:
    unit = get_user_model().objects.get(username="handler").staff.unit
    held = Appeal.objects.filter(status__in=HANDLING_STATUSES, main_unit=unit).first()
    assert held is not None
    person.go(f"/appeals/{held.tracking_code}/")
    if held.status == "dispatched":  # signing for it is the one step shown, then the reply
        assert person.page.locator("[data-testid=reply]").count() == 0
        person.page.click("[data-testid=sign-for]")
    assert person.page.locator("[data-testid=reply]").is_visible()
    more = person.page.locator("[data-testid=more-actions]")
    assert not person.page.locator("[data-testid=defer]").is_visible(), "folded"
    more.locator("summary").click()
    assert person.page.locator("[data-testid=defer]").is_visible()
    person.shot("unit-appeal-actions")
