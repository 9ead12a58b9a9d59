"""The journeys of issue 4, clicked in a real Chromium (Debian's /usr/bin/chromium) against
a live server on the demo city: a citizen reports and tracks; a call-taker takes the same
citizen's next call (a repeat caller) and it is dispatched; the street office signs for it,
asks for more time, a supervisor approves, the office replies; the citizen rates it; the
assessment shows the new callback and exports files that open. Every page is saved as a
1366×768 screenshot under docs/screenshots/."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from cityloop.appeals.models import Appeal, ExtensionRequest
from cityloop.demo.generator import DEMO_PASSWORD, generate_demo_city
from cityloop.geo.models import AreaLevel, StandardAddress
from cityloop.geo.services import ancestor_at
from cityloop.taxonomy.models import Category
from cityloop.testing import png_bytes

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("CITYLOOP_CHROMIUM", "/usr/bin/chromium"))
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = "13912345678"


@pytest.fixture
def browser(live_server):
    if not CHROMIUM.exists():
        if os.environ.get("CITYLOOP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)")
        pytest.skip(f"{CHROMIUM} is not installed")
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test
    # itself are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


class Session:
    """One person at one browser: a fresh context, logged in as `username` if given."""

    def __init__(self, browser, base_url: str, username: str | None = None) -> None:
        self.context = browser.new_context(
            viewport={"width": 1366, "height": 768}, locale="zh-CN", accept_downloads=True
        )
        self.page = self.context.new_page()
        self.base_url = base_url
        if username:
            self.log_in(username)

    def log_in(self, username: str) -> None:
        """Log in from the login page; wait until the site has sent the user on (to the
        role's own page, web.access.LANDING)."""
        self.go("/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", DEMO_PASSWORD)
        self.page.click("form.stack button")
        self.page.wait_for_url(lambda url: "/accounts/login/" not in url)

    def go(self, path: str) -> None:
        self.page.goto(f"{self.base_url}{path}")

    def shot(self, name: str) -> None:
        self.page.wait_for_timeout(300)  # charts and maps draw after load
        self.page.screenshot(path=str(SHOTS / f"{name}.png"))

    def close(self) -> None:
        self.context.close()


def _unit_row(page, unit_code: str) -> dict[str, str]:
    row = page.locator(f"tr[data-unit='{unit_code}']")
    if row.count() == 0:
        return {"valid": "0"}
    cells = row.locator("td").all_inner_texts()
    return {"valid": cells[2], "response": cells[3], "resolution": cells[4]}


def test_the_whole_loop_in_a_browser(live_server, browser):
    generate_demo_city(seed=7, appeals=400, days=60, streets_per_district=2)
    handler = get_user_model().objects.get(username="handler").staff
    street = handler.unit.area
    address = next(
        a
        for a in StandardAddress.objects.select_related("grid__parent__parent")
        if ancestor_at(a.grid, AreaLevel.STREET) == street
    )
    streetlight = Category.objects.filter(
        path__startswith="城乡建设 › 城市建设和市政管理 ›", level=3
    ).first()
    url = live_server.url

    # 1. A citizen reports a problem: a failed submit keeps what was typed
    citizen = Session(browser, url)
    citizen.go("/report/")
    citizen.page.fill("#id_caller_phone", PHONE)
    citizen.page.click("form[data-testid=report-form] button[type=submit]")
    assert citizen.page.locator("[data-testid=error-content]").is_visible()
    assert citizen.page.input_value("#id_caller_phone") == PHONE
    citizen.shot("citizen-report")
    citizen.page.fill("#id_content", "小区门口的路灯坏了一个多星期，晚上很黑，老人出行不安全。")
    citizen.page.fill("#id_address_text", address.full_text)
    citizen.page.fill("#id_caller_name", "王女士")
    citizen.page.set_input_files(
        "#id_attachments",
        files=[{"name": "路灯.png", "mimeType": "image/png", "buffer": png_bytes()}],
    )
    citizen.page.click("form[data-testid=report-form] button[type=submit]")
    citizen.page.wait_for_url(re.compile(r"/track/\w+/"))
    first_code = citizen.page.url.rstrip("/").rsplit("/", 1)[-1]
    assert first_code in citizen.page.locator(".messages").inner_text()
    first = Appeal.objects.get(tracking_code=first_code)
    assert first.attachments.count() == 1 and first.caller_phone == PHONE
    citizen.shot("citizen-track")

    # 2. The same citizen calls: the call-taker sees a repeat caller, the machine's reading
    calltaker = Session(browser, url, "calltaker")
    calltaker.go("/console/")
    calltaker.page.fill("#id_caller_phone", PHONE)
    assert "1 件" in calltaker.page.locator("[data-testid=repeat-badge]").inner_text()
    calltaker.page.fill("#id_content", "来电反映路灯还是不亮，另外旁边的井盖也松动了，很危险")
    calltaker.page.fill("#id_address_text", address.full_text)
    match = calltaker.page.locator("[data-testid=address-match] button")
    match.wait_for()
    match.click()
    assert calltaker.page.input_value("#id_standard_address_code") == address.code
    calltaker.page.fill("#id_category_code", streetlight.code)
    calltaker.shot("calltaker-console")
    calltaker.page.click("form[data-testid=intake-form] button[type=submit]")
    calltaker.page.wait_for_selector(".messages")
    second = Appeal.objects.filter(caller_phone=PHONE).exclude(pk=first.pk).get()
    assert second.status == "dispatched" and second.main_unit == handler.unit
    assert second.tracking_code in calltaker.page.locator(".messages").inner_text()

    dispatcher = Session(browser, url, "dispatcher")
    dispatcher.go("/queue/")
    dispatcher.shot("dispatcher-queue")

    # 3. The street office signs for it and asks for more time
    office = Session(browser, url, "handler")
    office.go("/worklist/")
    office.page.click(f"text={second.tracking_code}")
    office.shot("unit-worklist-appeal")
    office.page.click("[data-testid=sign-for]")
    assert "已签收" in office.page.locator("[data-testid=status]").inner_text()
    office.page.click("[data-testid=more-actions] summary")  # asking for time is folded
    office.page.fill("input[name=extra_working_days]", "3")
    office.page.click("[data-testid=request-extension]")
    assert office.page.locator("[data-testid=action-error]").is_visible(), "a reason is needed"
    assert office.page.input_value("input[name=extra_working_days]") == "3"
    office.page.fill(
        "form:has([data-testid=request-extension]) input[name=reason]",
        "需协调园林部门修剪树枝后更换灯杆",
    )
    office.page.click("[data-testid=request-extension]")
    office.page.locator("[data-testid=pending-extension]").wait_for()
    office.go("/worklist/")
    office.shot("unit-worklist")

    # 4. A supervisor approves the extension on the board
    supervisor = Session(browser, url, "supervisor")
    supervisor.go("/board/")
    row = supervisor.page.locator("[data-testid=extensions] tr", has_text=second.tracking_code)
    supervisor.shot("supervisor-board")
    before_due = Appeal.objects.get(pk=second.pk).reply_due_at
    row.locator("button[value=approve]").click()
    supervisor.page.wait_for_selector(".messages")
    assert ExtensionRequest.objects.get(appeal=second).status == "approved"
    assert Appeal.objects.get(pk=second.pk).reply_due_at > before_due

    # 5. The office replies
    office.go(f"/appeals/{second.tracking_code}/")
    office.page.fill("#reply-text", "已于今日更换损坏路灯并加固井盖，经回访路灯恢复正常照明。")
    office.page.click("[data-testid=reply]")
    assert "已办结" in office.page.locator("[data-testid=status]").inner_text()
    office.shot("unit-appeal")

    # 6. The assessment before and after the citizen rates it
    supervisor.go("/assessment/")
    before = _unit_row(supervisor.page, handler.unit.code)
    citizen.go(f"/track/{second.tracking_code}/")
    citizen.page.fill("input[name=phone_last4]", PHONE[-4:])
    citizen.page.check("input[name=contacted][value=yes]")
    citizen.page.check("input[name=resolved][value=yes]")
    citizen.page.check("input[name=satisfaction][value=satisfied]")
    citizen.shot("citizen-evaluate")
    citizen.page.click("text=提交评价")
    assert "已评价" in citizen.page.locator("[data-testid=status]").inner_text()

    supervisor.go("/assessment/")
    after = _unit_row(supervisor.page, handler.unit.code)
    assert int(after["valid"]) == int(before["valid"]) + 1
    supervisor.shot("assessment")
    with supervisor.page.expect_download() as download:
        supervisor.page.click("[data-testid=export-xlsx]")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    rows = {r[1]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows[handler.unit.code][3] == int(after["valid"])
    with supervisor.page.expect_download() as download:
        supervisor.page.click("[data-testid=export-pdf]")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    supervisor.page.click(f"tr[data-unit='{handler.unit.code}'] [data-testid=resolution-rate]")
    supervisor.page.wait_for_selector("[data-testid=behind]")
    supervisor.go("/dashboard/")
    supervisor.page.wait_for_selector("#map path")
    supervisor.shot("dashboard")

    # 7. English on request
    with calltaker.page.expect_navigation():
        calltaker.page.select_option("select[name=language]", "en")
    assert "Call-taker console" in calltaker.page.locator("h1").inner_text()
    assert "Console" in calltaker.page.locator("header nav").inner_text()
    calltaker.shot("calltaker-console-en")

    # 8. Each role sees only its pages; the admin is in Chinese
    office.go("/queue/")
    assert "无权" in office.page.content()
    admin = Session(browser, url, "admin")
    admin.go("/admin/")
    assert "管理" in admin.page.title()
    admin.shot("admin")
    for session in (citizen, calltaker, dispatcher, office, supervisor, admin):
        session.close()
