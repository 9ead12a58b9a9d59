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

from cityloop.appeals.models import Appeal
from cityloop.bootstrap import seed_reference
from cityloop.demo.generator import DEMO_PASSWORD, build_city, generate_demo_city
from cityloop.geo.models import AreaLevel, StandardAddress
from cityloop.geo.services import ancestor_at
from cityloop.oversight.models import ExtensionRequest
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

    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    # the ranked units on the first sheet, the units with too few callbacks on 样本不足
    rows = {r[1]: r for sheet in book.worksheets for r in sheet.iter_rows(values_only=True)}
    assert rows[handler.unit.code][3] == int(after["valid"])
    with supervisor.page.expect_download() as download:
        supervisor.page.click("[data-testid=export-pdf]")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    supervisor.page.click(f"tr[data-unit='{handler.unit.code}'] [data-testid=resolution-rate]")
    supervisor.page.wait_for_selector("[data-testid=behind]")
    supervisor.go("/dashboard/")
    supervisor.page.wait_for_selector("#map path")
    assert supervisor.page.locator("[data-testid=map-legend]").is_visible()
    assert supervisor.page.locator(".map-label span:visible").count() >= 8, "districts are named"
    hottest = supervisor.page.locator("[data-testid=hot-grids] tbody tr td").nth(1).inner_text()
    assert hottest in supervisor.page.locator(".spot-label").first.inner_text()
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


def test_the_report_map_names_the_districts_and_a_picked_place(live_server, browser):
    seed_reference()
    build_city(seed=7, streets_per_district=2, progress=lambda *_: None)
    citizen = Session(browser, live_server.url)
    citizen.go("/report/")
    citizen.page.wait_for_selector("#map path")
    assert citizen.page.locator("[data-testid=map-legend]").is_visible()
    labels = citizen.page.locator(".map-label span:visible").all_inner_texts()
    assert "延庆区" in labels and "密云区" in labels
    # click where the map writes 昌平区: a point inside the district, so inside one of its streets
    box = citizen.page.locator(".map-label span", has_text="昌平区").bounding_box()
    assert box is not None
    citizen.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    picked = citizen.page.locator("#picked")
    picked.filter(has_text="昌平区").wait_for()
    text = picked.inner_text()
    assert not re.search(r"\d+\.\d{4}", text), "a place, not coordinates"
    street = citizen.page.locator(".leaflet-tooltip").first.inner_text()
    assert street and street in text
    citizen.shot("citizen-report-map")
    citizen.close()


def test_honest_outcomes_in_a_browser(live_server, browser, settings):
    """Issue 13: a weak reply is stopped by the gate (confirm mode), a consultation is
    answered on the call, and a citizen who rated "not resolved" sees the honest outcome
    after the centre closes it not fixed."""
    from cityloop.access.actors import Actor
    from cityloop.intake.services import AppealDraft, receive_appeal

    settings.CITYLOOP_REPLY_GATE = "confirm"
    generate_demo_city(seed=7, appeals=40, days=10, streets_per_district=2)
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

    # 1. A consultation answered on the call: closed at once, no unit involved
    calltaker = Session(browser, url, "calltaker")
    calltaker.go("/console/")
    calltaker.page.fill("#id_caller_phone", "13700001111")
    calltaker.page.select_option("#id_appeal_type", "consultation")
    calltaker.page.fill("#id_content", "请问办理居住证需要什么材料？")
    calltaker.page.fill("#id_answer", "居住证在居住地派出所办理，需身份证、租房合同和一寸照片。")
    calltaker.shot("calltaker-consultation")
    calltaker.page.click("form[data-testid=intake-form] button[type=submit]")
    calltaker.page.wait_for_selector(".messages")
    assert "当场解答" in calltaker.page.locator(".messages").inner_text()
    asked = Appeal.objects.get(caller_phone="13700001111")
    assert (asked.status, asked.outcome, asked.main_unit) == ("closed", "answered_on_call", None)

    # 2. The unit's weak reply is stopped by the gate until it gives a reason
    appeal = receive_appeal(
        AppealDraft(
            channel="phone",
            title="路灯不亮",
            content="路灯坏了一个多星期，晚上很黑",
            caller_phone=PHONE,
            standard_address_code=address.code,
            category_code=streetlight.code,
        ),
        actor=Actor.from_user(get_user_model().objects.get(username="calltaker")),
    )
    code = appeal.tracking_code
    office = Session(browser, url, "handler")
    office.go(f"/appeals/{code}/")
    office.page.click("[data-testid=sign-for]")
    office.page.fill("#reply-text", "已处理")
    office.page.click("[data-testid=reply]")
    error = office.page.locator("[data-testid=action-error]")
    assert "答复质量存疑" in error.inner_text()
    assert Appeal.objects.get(tracking_code=code).status == "signed"
    office.shot("unit-reply-gate")
    office.page.fill("[data-testid=confirm-reason]", "已电话告知诉求人修复情况，诉求人同意简短答复")
    office.page.click("[data-testid=reply]")
    office.page.wait_for_selector("[data-testid=reply-flag]")
    assert Appeal.objects.get(tracking_code=code).status == "replied"

    # 3. The citizen rates it "not resolved": thanked, told it goes back to the unit
    citizen = Session(browser, url)
    citizen.go(f"/track/{code}/")
    assert citizen.page.locator("[data-testid=reply]").count() == 1
    citizen.page.fill("input[name=phone_last4]", PHONE[-4:])
    citizen.page.check("input[name=contacted][value=yes]")
    citizen.page.check("input[name=resolved][value=no]")
    citizen.page.check("input[name=satisfaction][value=dissatisfied]")
    citizen.page.fill("textarea[name=comment]", "路灯还是不亮")
    citizen.page.click("text=提交评价")
    thanks = citizen.page.locator(".messages").inner_text()
    assert "感谢您的评价" in thanks and "重新办理" in thanks

    # 4. The centre decides not to have it handled again, and says why
    supervisor = Session(browser, url, "supervisor")
    supervisor.go(f"/appeals/{code}/")
    supervisor.page.fill(
        "[data-testid=close-unresolved-reason]", "该路段照明改造已列入明年计划，超出本次办理范围"
    )
    supervisor.page.click("[data-testid=close-unresolved]")
    supervisor.page.wait_for_selector("[data-testid=outcome]")
    assert "办结未解决" in supervisor.page.locator("[data-testid=outcome]").inner_text()

    # 5. The citizen sees the honest outcome
    citizen.go(f"/track/{code}/")
    assert "办结未解决" in citizen.page.locator("[data-testid=outcome]").inner_text()
    assert "办结未解决" in citizen.page.locator("[data-testid=next-step]").inner_text()
    citizen.shot("citizen-outcome")
    for session in (calltaker, office, citizen, supervisor):
        session.close()


def test_a_map_point_that_disagrees_with_the_typed_address_is_asked_about(live_server, browser):
    """Issue 13: a click on the map no longer silently overrides the typed address."""
    from cityloop.geo.models import Area

    generate_demo_city(seed=7, appeals=0, days=1, streets_per_district=2)
    streets = list(Area.objects.filter(level=AreaLevel.STREET).order_by("code"))
    elsewhere = next(i for i, s in enumerate(streets) if s.parent.name == "顺义区")
    citizen = Session(browser, live_server.url)
    citizen.go("/report/")
    citizen.page.fill("#id_content", "小区门口路灯坏了一个星期了")
    citizen.page.fill("#id_address_text", "建国门外大街1号")
    citizen.page.fill("#id_caller_phone", PHONE)
    # the street outlines are drawn in code order: click inside one of 顺义区's streets
    outline = citizen.page.locator("#map path.leaflet-interactive").nth(elsewhere)
    outline.wait_for()
    outline.click()
    assert citizen.page.input_value("#id_lat"), "the click set the point"
    citizen.page.click("form[data-testid=report-form] button[type=submit]")
    conflict = citizen.page.locator("[data-testid=place-conflict]")
    conflict.wait_for()
    assert "顺义区" in conflict.inner_text() and "朝阳区建外街道" in conflict.inner_text()
    assert citizen.page.input_value("#id_address_text") == "建国门外大街1号"
    citizen.shot("citizen-place-conflict")
    citizen.page.check("[data-testid=place-by-text]")
    citizen.page.click("form[data-testid=report-form] button[type=submit]")
    citizen.page.wait_for_url(re.compile(r"/track/\w+/"))
    code = citizen.page.url.rstrip("/").rsplit("/", 1)[-1]
    appeal = Appeal.objects.get(tracking_code=code)
    assert (appeal.district.name, appeal.street.name) == ("朝阳区", "建外街道")
    assert appeal.placement == "road" and appeal.lat is None
    assert "地图选点位于顺义区" in appeal.events.get(action="locate").reason
    citizen.close()
