"""The early-warning board in Chromium: a supervisor sees the alerts the demo city's nights
raised on the map, the timeline and the list, opens one with its evidence and appeals,
acknowledges it and turns it into a proactive case (响应), and dismisses another with a
reason; an analyst sees the board without the buttons. Screenshots in
docs/screenshots/warning-*.png."""

from __future__ import annotations

import pytest

from cityloop.demo.build import first_warnings
from cityloop.demo.generator import generate_demo_city
from cityloop.kernel import clock
from cityloop.warning.models import Alert, AlertStatus
from tests.browser.test_journeys import Session, browser  # noqa: F401 — the fixture

pytestmark = pytest.mark.browser


def test_a_supervisor_works_through_the_warning_board(live_server, browser):  # noqa: F811
    generate_demo_city(seed=12345, appeals=3000, days=120)
    assert first_warnings(clock.today()) >= 2
    supervisor = Session(browser, live_server.url, "supervisor")
    supervisor.go("/warning/")
    page = supervisor.page
    assert page.locator("[data-testid=warning-map] path.leaflet-interactive").count() >= 1
    assert page.locator("[data-testid=warning-timeline] canvas").count() >= 1
    rows = page.locator("[data-testid=alerts] tr[data-alert]")
    assert rows.count() == Alert.objects.count()
    supervisor.shot("warning-board")

    first, second = Alert.objects.order_by("pk")[:2]
    supervisor.go(f"/warning/{first.pk}/")
    assert page.locator("[data-testid=alert-appeals] tbody tr").count() == first.appeals.count()
    supervisor.shot("warning-alert")
    page.click("[data-testid=acknowledge]")
    page.wait_for_load_state()
    assert "已确认" in page.locator("[data-testid=alert-status]").inner_text()
    first.refresh_from_db()
    assert first.status == AlertStatus.ACKNOWLEDGED
    # 响应: the alert becomes a proactive case, dispatched to the unit responsible
    page.fill("[data-testid=respond-note]", "请属地街道立即组织排查，三日内反馈")
    page.click("[data-testid=respond]")
    page.wait_for_load_state()
    first.refresh_from_db()
    assert first.status == AlertStatus.RESPONDED and first.response_appeal is not None
    case = first.response_appeal
    assert case.channel == "proactive" and case.main_unit is not None
    assert case.tracking_code in page.locator(".messages").inner_text()
    supervisor.shot("warning-responded")
    page.click(f"a[href='/appeals/{case.tracking_code}/']")
    page.wait_for_url(f"**/appeals/{case.tracking_code}/")
    assert case.main_unit.name in page.content()

    supervisor.go(f"/warning/{second.pk}/")
    page.click("[data-testid=dismiss]")  # no reason: the browser itself refuses
    assert page.url.endswith(f"/warning/{second.pk}/")
    page.fill("[data-testid=dismiss-reason]", "同一地址的重复来电，已核实不是新问题")
    page.click("[data-testid=dismiss]")
    page.wait_for_load_state()
    assert "同一地址的重复来电" in page.locator("[data-testid=alert-history]").inner_text()
    second.refresh_from_db()
    assert second.status == AlertStatus.DISMISSED
    supervisor.shot("warning-dismissed")
    supervisor.close()

    analyst = Session(browser, live_server.url, "analyst")
    analyst.go(f"/warning/{first.pk}/")
    assert analyst.page.locator("[data-testid=acknowledge], [data-testid=dismiss]").count() == 0
    analyst.close()
