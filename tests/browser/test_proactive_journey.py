"""未诉先办 in a real Chromium on the demo city: a supervisor opens the forecast of a district's
category, chooses a 每月一题 on the board (htmx), accepts a proactive proposal and finds the
proactive appeal in the loop, dispatched to the unit; the assessment shows the proactive
share. Screenshots go to docs/screenshots/proactive-*.png."""

from __future__ import annotations

import pytest

from cityloop.demo.generator import generate_demo_city
from cityloop.proactive.models import MonthlyTopic, Proposal, ProposalStatus
from tests.browser.test_journeys import Session, browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


def test_a_supervisor_plans_proactive_work(live_server, browser):  # noqa: F811
    generate_demo_city(seed=7, appeals=800, days=84, streets_per_district=2)
    assert Proposal.objects.exists(), "the demo build makes proposals"
    supervisor = Session(browser, live_server.url, "supervisor")
    page = supervisor.page

    # 1. the forecast of the busiest district × category: history, forecast and its band
    supervisor.go("/proactive/forecast/")
    page.locator("[data-testid=forecast-chart] canvas").first.wait_for()
    assert "未来 8 周预测" in page.inner_text("[data-testid=forecast-summary]")
    supervisor.shot("proactive-forecast")

    # 2. 每月一题: choose the first candidate; the board comes back with it chosen
    supervisor.go("/proactive/topics/")
    first = page.locator("table[data-testid=candidates] tbody tr").first
    first.locator("input[name=reason]").fill("上月诉求最多，且连续上升")
    first.locator("button[data-testid=choose]").click()
    page.locator("#topics-board p.notice").wait_for()
    assert page.locator("table[data-testid=chosen-topics] tr[data-topic]").count() == 1
    assert MonthlyTopic.objects.count() == 1
    page.locator("[data-volume] canvas").first.wait_for()
    supervisor.shot("proactive-topics")

    # 3. accept a proposal: it becomes an appeal of channel 主动治理, dispatched to the unit
    supervisor.go("/proactive/")
    row = page.locator("table[data-testid=proposals] tr[data-proposal]").first
    proposal = Proposal.objects.get(pk=int(row.get_attribute("data-proposal") or 0))
    row.locator("input[name=note]").fill("组织一次排查，从根源解决")
    row.locator("button[data-testid=accept]").click()
    page.locator("ul.messages li.success").wait_for()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED
    code = proposal.appeal.tracking_code
    assert code in page.inner_text("ul.messages")
    supervisor.go("/proactive/?status=accepted")
    supervisor.shot("proactive-proposals")

    # 4. the proactive appeal runs the normal loop
    page.click(f"a[data-testid=proactive-appeal]:text('{code}')")
    page.wait_for_url(f"**/appeals/{code}/")
    text = page.inner_text("main")
    assert "主动治理" in text
    if proposal.unit is not None:
        assert proposal.unit.name in text
    supervisor.shot("proactive-appeal")

    # 5. the assessment counts it apart: the proactive share
    supervisor.go("/assessment/#proactive")
    assert "主动治理 1 件" in page.inner_text("[data-testid=proactive-city]")
    page.locator("#proactive").scroll_into_view_if_needed()
    supervisor.shot("proactive-share")
    supervisor.close()
