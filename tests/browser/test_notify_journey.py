"""Issue 13's journey in Chromium: a citizen reports with a mobile number and an e-mail
address; once the worker has sent, the file backend holds the SMS and the e-mail with the
tracking code and the tracking page says the SMS went; the street office signs for and
replies on its page, and the reply message follows. The staff page's timeline shows each
message and what became of it (screenshot docs/screenshots/notify-timeline.png)."""

from __future__ import annotations

import re

import pytest

from cityloop.dispatch.services import dispatch
from cityloop.notify.sending import send_pending
from cityloop.notify.tests.helpers import email_files, sms_files
from cityloop.testing import PASSWORD
from tests.browser.test_journeys import SHOTS, browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


def new_page(browser, url: str, username: str | None = None):  # noqa: F811
    page = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN").new_page()
    if username:
        page.goto(f"{url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("form.stack button")
        page.wait_for_url(lambda landed: "/accounts/login/" not in landed)
    return page


def test_the_citizen_is_told_by_sms_and_email(live_server, browser, city_tx, settings, tmp_path):  # noqa: F811
    settings.DATA_DIR = tmp_path
    city = city_tx
    url = live_server.url

    citizen = new_page(browser, url)
    citizen.goto(f"{url}/report/")
    citizen.fill("#id_content", "小区门口的路灯坏了，晚上很黑。")
    citizen.fill("#id_address_text", city.addresses[0].full_text)
    citizen.fill("#id_caller_phone", "13912345678")
    citizen.fill("#id_email", "wang@example.com")
    citizen.click("form[data-testid=report-form] button[type=submit]")
    citizen.wait_for_url(re.compile(r"/track/\w+/"))
    code = citizen.url.rstrip("/").rsplit("/", 1)[-1]
    assert citizen.locator("[data-testid=receipt-sms]").count() == 0, "nothing sent yet"

    send_pending()  # what `cityloop worker` does after the commit
    assert code in sms_files(tmp_path)[f"{code}-1-sms"]
    assert code in email_files(tmp_path)[f"{code}-1-email"]["Subject"]
    citizen.reload()
    assert "139****5678" in citizen.locator("[data-testid=receipt-sms]").inner_text()

    dispatch(
        code,
        actor=city.actor("dispatcher"),
        unit_code=city.street_offices[0].code,
        category_code=city.category("城乡建设", "城市建设和市政管理", "城市公共设施").code,
    )
    office = new_page(browser, url, "handler1")
    office.goto(f"{url}/appeals/{code}/")
    office.click("[data-testid=sign-for]")
    office.fill("#reply-text", "已更换路灯灯具，恢复照明。")
    office.click("[data-testid=reply]")
    office.wait_for_selector("text=已完成")
    send_pending()
    replied = [text for key, text in sms_files(tmp_path).items() if "办结答复" in text]
    assert len(replied) == 1 and code in replied[0]

    office.goto(f"{url}/appeals/{code}/")
    notices = office.locator("[data-testid=notice]")
    assert notices.count() == 6  # receipt, dispatched, replied × SMS and e-mail
    assert all("已发送" in text for text in notices.all_inner_texts())
    office.locator("[data-testid=timeline]").scroll_into_view_if_needed()
    office.screenshot(path=str(SHOTS / "notify-timeline.png"))
