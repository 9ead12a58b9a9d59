"""Days and months are the city's (Asia/Shanghai), not UTC's: the loop walked over HTTP with
the clock at 00:30 local on the 1st of a month (still the last day of the previous month in
UTC) and at 23:30 local on the last day of a month."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from cityloop.kernel import clock
from cityloop.testing import post_json, rank_from, rated_appeal

BEIJING = ZoneInfo("Asia/Shanghai")
# 2026-12-01 00:30 in Beijing is 2026-11-30 16:30 UTC; the clock is pinned to a UTC instant,
# as timezone.now() gives it
FIRST_OF_DECEMBER = datetime(2026, 12, 1, 0, 30, tzinfo=BEIJING).astimezone(UTC)
LAST_OF_NOVEMBER = datetime(2026, 11, 30, 23, 30, tzinfo=BEIJING).astimezone(UTC)


def ranked_units(client, month: str = "") -> list[str]:
    query = f"?month={month}" if month else ""
    page = client.get(f"/assessment/{query}")
    assert page.status_code == 200
    table = page.content.decode().split('data-testid="ranking"')[1].split("</table>")[0]
    return [row.split('"')[0] for row in table.split('data-unit="')[1:]]


def home_ranking(client) -> tuple[str, str]:
    """The heading and the table of the home page's month ranking."""
    before, after = client.get("/").content.decode().split("三率排名（前十）", 1)
    return before.rsplit("<h2>", 1)[1], after.split("</table>")[0]


@pytest.mark.parametrize(
    ("moment", "local_day", "month"),
    [(FIRST_OF_DECEMBER, "261201", "2026-12"), (LAST_OF_NOVEMBER, "261130", "2026-11")],
    ids=["00:30 on the 1st", "23:30 on the last day"],
)
def test_an_appeal_counts_on_the_local_day_and_month(city, moment, local_day, month):
    rank_from(1)
    analyst = city.client("analyst")
    with clock.frozen_at(moment):
        code = rated_appeal(city)
        assert code.startswith(local_day), "the tracking code carries the local date"

        office = city.street_offices[0].code
        assert ranked_units(analyst) == [office], "the page opens on the local month"
        assert [s["unit_code"] for s in analyst.get(f"/api/assessment?month={month}").json()] == [
            office
        ]

        data = analyst.get("/dashboard/data.json").json()
        assert data["today"] == 1
        day = datetime.strptime(local_day, "%y%m%d").date()
        assert data["daily"] == [{"day": day.isoformat(), "n": 1}]
        assert (data["month"], data["rates"]["valid"], data["rates"]["resolution_rate"]) == (
            month,
            1,
            1.0,
        )

        heading, table = home_ranking(analyst)
        assert f"{int(month[:4])}年{int(month[5:])}月" in heading
        assert "建外街道办事处" in table
        assert 'data-testid="today-count">1<' in analyst.get("/").content.decode()


def test_last_nights_appeal_belongs_to_last_month_after_midnight(city):
    """Rated at 23:30 on 30 November; at 00:30 on 1 December it is neither today's intake
    nor in December's ranking, and November's ranking still has it."""
    rank_from(1)
    analyst = city.client("analyst")
    with clock.frozen_at(LAST_OF_NOVEMBER):
        rated_appeal(city)
    with clock.frozen_at(FIRST_OF_DECEMBER):
        assert ranked_units(analyst) == []
        assert ranked_units(analyst, "2026-11") == [city.street_offices[0].code]
        data = analyst.get("/dashboard/data.json").json()
        assert (data["today"], data["month"], data["rates"]["valid"]) == (0, "2026-12", 0)
        assert data["rates"]["resolution_rate"] is None, "no callback yet: no rate, not 0%"
        page = analyst.get("/assessment/").content.decode()
        trend = page.split('id="trend-data" type="application/json">')[1].split("</script>")[0]
        assert [(t["month"], t["valid"]) for t in json.loads(trend)[-2:]] == [
            ("2026-11", 1),
            ("2026-12", 0),
        ]


def test_defer_refuses_a_planned_date_that_is_today_locally(city):
    """At 00:30 on 1 December it is already the 1st: planning to solve it "by today" is no
    plan; the 2nd is."""
    with clock.frozen_at(FIRST_OF_DECEMBER):
        appeal = city.receive()
        office = city.client("handler1")
        assert post_json(office, f"/api/appeals/{appeal.tracking_code}/sign-for").status_code == 200
        url = f"/appeals/{appeal.tracking_code}/defer/"
        refused = office.post(url, {"planned_date": "2026-12-01", "reason": "需纳入道路大修计划"})
        assert refused.status_code == 400
        assert "计划解决日期须晚于今天" in refused.content.decode()
        appeal.refresh_from_db()
        assert appeal.status == "signed"
        done = office.post(url, {"planned_date": "2026-12-02", "reason": "需纳入道路大修计划"})
        assert done.status_code == 302
        appeal.refresh_from_db()
        assert appeal.status == "deferred"


@pytest.mark.parametrize(
    ("local_moment", "emergency"),
    [(datetime(2026, 11, 1, 0, 30), True), (datetime(2026, 4, 1, 0, 30), False)],
    ids=["00:30 on 1 November: heating season", "00:30 on 1 April: season over"],
)
def test_the_heating_season_follows_the_local_month(city, local_moment, emergency):
    moment = local_moment.replace(tzinfo=BEIJING).astimezone(UTC)
    with clock.frozen_at(moment):
        created = post_json(
            city.client("calltaker"),
            "/api/appeals",
            {
                "title": "暖气停了",
                "content": "家里暖气停了，独居老人冻得受不了",
                "auto_dispatch": False,
            },
        )
    assert created.status_code == 201, created.content
    code = created.json()["tracking_code"]
    detail = city.client("dispatcher").get(f"/api/appeals/{code}").json()
    assert (detail["urgency"] == "emergency") is emergency
