"""网格员巡查 on a phone (375×812) in Chromium on the demo city: the grid worker lands on the
patrol page, the phone's location is taken, a loose manhole cover is fixed on the spot with
before/after photos (closed and counted), a second problem is placed on the map when the
phone gives no location and sent into the loop; the history and the grid's open appeals
show both. Screenshots in docs/screenshots/patrol-*.png."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from cityloop.appeals.enums import Channel, Status
from cityloop.demo.generator import DEMO_PASSWORD, generate_demo_city
from cityloop.geo.geometry import interior_point
from cityloop.intake.patrol.models import PatrolAssignment, PatrolReport, PhotoStage
from cityloop.testing import png_bytes
from tests.browser.test_journeys import SHOTS, browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


class Phone:
    """A grid worker's phone: a small touch screen, with or without its location."""

    def __init__(self, browser, base_url: str, *, at: tuple[float, float] | None) -> None:  # noqa: F811
        options: dict[str, object] = {
            "viewport": PHONE,
            "device_scale_factor": 2,
            "is_mobile": True,
            "has_touch": True,
            "locale": "zh-CN",
        }
        if at is not None:
            options.update(
                geolocation={"latitude": at[0], "longitude": at[1], "accuracy": 9},
                permissions=["geolocation"],
            )
        self.context = browser.new_context(**options)
        self.page = self.context.new_page()
        self.base_url = base_url

    def log_in(self, username: str) -> None:
        self.page.goto(f"{self.base_url}/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", DEMO_PASSWORD)
        self.page.click("form.stack button")
        self.page.wait_for_url(lambda url: "/accounts/login/" not in url)

    def shot(self, name: str, *, full: bool = False) -> None:
        self.page.wait_for_timeout(300)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)

    def photo(self, selector: str, name: str) -> None:
        self.page.set_input_files(
            selector, files=[{"name": name, "mimeType": "image/png", "buffer": png_bytes(64)}]
        )


def test_a_grid_worker_reports_on_a_phone(live_server, browser):  # noqa: F811
    generate_demo_city(seed=7, appeals=400, days=60, streets_per_district=2)
    worker = get_user_model().objects.get(username="gridworker")
    grid = PatrolAssignment.objects.get(worker=worker).grid
    lng, lat = interior_point(grid.polygon)

    # 1. The worker lands on the patrol page; the phone's location is taken
    phone = Phone(browser, live_server.url, at=(lat, lng))
    phone.log_in("gridworker")
    page = phone.page
    assert page.url.endswith("/patrol/")
    assert grid.name in page.inner_text("[data-testid=my-grid]")
    page.wait_for_function(
        "document.getElementById('where').textContent.includes('已使用手机定位')"
    )
    page.wait_for_function("document.getElementById('where').textContent.includes('（')")
    assert page.input_value("#id_location_source") == "device"
    phone.shot("patrol-phone")

    # 2. A failed submit keeps what was typed and says what is missing
    page.fill("#id_text", "北门人行道井盖松动，踩上去晃动，有绊倒风险")
    page.click("[data-testid=submit]")
    assert "请拍摄或选择至少一张现场照片" in page.inner_text("[data-testid=patrol-form]")
    assert "井盖松动" in page.input_value("#id_text")

    # 3. Fixed on the spot: before and after photos, what was done; closed and counted
    page.wait_for_function("document.getElementById('id_lat').value !== ''")
    phone.photo("#id_before", "处置前.png")
    assert page.locator("[data-testid=on-spot]").is_hidden()
    page.check("input[name=way][value=on_spot]")
    page.locator("[data-testid=on-spot]").wait_for()
    page.fill("#id_action_taken", "已将井盖复位，用螺栓固定，现场恢复通行")
    phone.photo("#id_after", "处置后.png")
    page.locator("#id_action_taken").scroll_into_view_if_needed()
    phone.shot("patrol-on-spot")
    page.click("[data-testid=submit]")
    page.wait_for_url(lambda url: url.endswith("/patrol/"))
    assert "已记录自行处置并办结" in page.inner_text(".messages")
    fixed = PatrolReport.objects.get(handled_on_spot=True)
    assert fixed.appeal.channel == Channel.GRID_PATROL and fixed.appeal.status == Status.CLOSED
    assert fixed.appeal.main_unit == worker.staff.unit
    stages = sorted(fixed.photos.values_list("stage", flat=True))
    assert stages == [PhotoStage.AFTER, PhotoStage.BEFORE]
    phone.shot("patrol-done")
    phone.context.close()

    # 4. No location from the phone: the worker taps the place on the map and sends it in
    phone = Phone(browser, live_server.url, at=None)
    phone.log_in("gridworker")
    page = phone.page
    page.wait_for_function("document.getElementById('where').textContent.includes('地图上点选')")
    page.fill("#id_text", "路边垃圾桶破损，垃圾散落一地")
    phone.photo("#id_before", "垃圾桶.png")
    page.locator("[data-testid=map]").scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # the grid's outline is drawn and fitted
    page.locator("[data-testid=map]").click()
    assert page.input_value("#id_location_source") == "map"
    page.wait_for_function("document.getElementById('where').textContent.includes('（')")
    phone.shot("patrol-map-pick")
    page.click("[data-testid=submit]")
    page.wait_for_url(lambda url: url.endswith("/patrol/"))
    assert "已进入派单流程" in page.inner_text(".messages")
    sent = PatrolReport.objects.get(handled_on_spot=False)
    assert sent.location_source == "map"
    assert sent.appeal.status in (Status.RECEIVED, Status.DISPATCHED)

    # 5. The history shows both; the grid's open appeals include the one sent in, if placed
    #    in the worker's grid, and never show a caller's phone number
    history = page.locator("[data-testid=history] li")
    assert history.count() == 2
    assert history.first.get_attribute("data-code") == sent.appeal.tracking_code
    page.locator("#history").scroll_into_view_if_needed()
    phone.shot("patrol-history")
    if sent.appeal.grid_id == grid.pk:
        assert (
            page.locator(
                f"[data-testid=grid-appeals] li[data-code='{sent.appeal.tracking_code}']"
            ).count()
            == 1
        )
    phone.context.close()
