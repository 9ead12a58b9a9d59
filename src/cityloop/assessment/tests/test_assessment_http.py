"""The assessment over HTTP: one three-rates formula behind every figure, and month
parameters that are checked, not trusted."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from cityloop.kernel import clock
from cityloop.testing import post_json, rated_appeal

RATE_KEYS = (
    "valid",
    "contacted",
    "resolved",
    "satisfied",
    "basically_satisfied",
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "composite",
)
BAD_MONTHS = ["9999-12", "0001-01", "2026-13", "2026-00", "abc", "2026-1-1", "1999-12", "2028-01"]
MID_JUNE = datetime(2026, 6, 15, 4, 0, tzinfo=UTC)


def rate(city, contacted: bool, resolved: bool, satisfaction: str) -> str:
    return rated_appeal(city, contacted=contacted, resolved=resolved, satisfaction=satisfaction)


def behind(client, month: str, unit: str, measure: str) -> list[str]:
    page = client.get(f"/assessment/appeals/?month={month}&unit={unit}&measure={measure}")
    assert page.status_code == 200
    table = page.content.decode().split('data-testid="behind"')[1].split("</table>")[0]
    return [row.split("/")[0] for row in table.split('href="/appeals/')[1:]]


def test_ranking_trend_drill_down_dashboard_and_export_agree_with_an_exclusion(city):
    with clock.frozen_at(MID_JUNE):
        agree_with_an_exclusion(city, "2026-06")


def agree_with_an_exclusion(city, month: str) -> None:
    kept = [
        rate(city, True, True, "satisfied"),
        rate(city, True, False, "basically_satisfied"),
    ]
    unfair = rate(city, False, False, "dissatisfied")
    asked = post_json(
        city.client("handler1"),
        f"/api/appeals/{unfair}/exclusion",
        {"reason": "诉求人要求违反法律规定，无法满足"},
    )
    assert asked.status_code == 201, asked.content
    approved = post_json(
        city.client("supervisor"), f"/api/appeals/{unfair}/exclusion/decision", {"approve": True}
    )
    assert approved.status_code == 200, approved.content

    analyst = city.client("analyst")
    office = city.street_offices[0].code
    [row] = analyst.get(f"/api/assessment?month={month}").json()
    ranking = {key: row[key] for key in RATE_KEYS}
    assert ranking == {
        "valid": 2,
        "contacted": 2,
        "resolved": 1,
        "satisfied": 1,
        "basically_satisfied": 1,
        "response_rate": 1.0,
        "resolution_rate": 0.5,
        "satisfaction_rate": 0.9,
        "composite": 76.0,  # 100 × (0.2 × 1 + 0.4 × 0.5 + 0.4 × 0.9)
    }
    # two callbacks are too few to be ranked: listed apart, each rate with its count
    assert (row["ranked"], row["rank"]) == (False, 0)
    assert [row[f"{rate}_label"] for rate in ("response", "resolution", "satisfaction")] == [
        "100.0 %（2/2）",
        "50.0 %（1/2）",
        "90.0 %（1.8/2）",
    ]

    # the city-wide figures are this one unit's: the trend and the dashboard must agree
    page = analyst.get(f"/assessment/?month={month}").content.decode()
    trend = json.loads(page.split('id="trend-data" type="application/json">')[1].split("<")[0])
    assert trend[-1]["month"] == month
    assert trend[-1]["valid"] == 2, "the trend leaves the excluded appeal out"
    assert {key: trend[-1][key] for key in RATE_KEYS} == ranking
    dashboard = analyst.get("/dashboard/data.json").json()
    assert {key: dashboard["rates"][key] for key in RATE_KEYS} == ranking

    # the drill-down lists exactly the callbacks behind each number
    assert sorted(behind(analyst, month, office, "all")) == sorted(kept)
    assert behind(analyst, month, office, "unresolved") == [kept[1]]
    assert behind(analyst, month, office, "not_contacted") == []
    assert behind(analyst, month, office, "dissatisfied") == []

    export = analyst.get(f"/assessment/?month={month}&format=xlsx")
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    assert book.active.max_row == 5, "no unit ranked: the first sheet has title, 3 notes, header"
    assert [cell.value for cell in book["样本不足"][3]] == [
        None,
        office,
        "建外街道办事处",
        ranking["valid"],
        ranking["contacted"],
        ranking["response_rate"],
        ranking["resolved"],
        ranking["resolution_rate"],
        1.8,
        ranking["satisfaction_rate"],
        ranking["composite"],
        row["ranking_score"],
        # how the unit's appeals closed this month ended, each counted apart
        row["outcomes"].get("resolved", 0),
        row["outcomes"].get("unresolved", 0),
        row["outcomes"].get("replied", 0),
    ]
    pdf = analyst.get(f"/assessment/?month={month}&format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize("month", BAD_MONTHS)
def test_a_bad_month_is_refused_by_the_api_with_the_error_schema(city, month):
    with clock.frozen_at(MID_JUNE):
        answer = city.client("analyst").get(f"/api/assessment?month={month}")
    assert answer.status_code == 400, answer.content
    body = answer.json()
    assert body["code"] in ("invalid_month", "month_out_of_range")
    assert body["field"] == "month"
    assert "月份" in body["message"] and month in body["message"]


@pytest.mark.parametrize("month", BAD_MONTHS)
@pytest.mark.parametrize(
    "path",
    [
        "/assessment/?month={}",
        "/assessment/?format=xlsx&month={}",
        "/assessment/?format=pdf&month={}",
        "/assessment/appeals/?unit=ST-110105001&month={}",
    ],
)
def test_a_bad_month_is_refused_by_the_pages_in_chinese(city, path, month):
    with clock.frozen_at(MID_JUNE):
        answer = city.client("analyst").get(path.format(month))
    assert answer.status_code == 400
    assert answer["Content-Type"].startswith("text/html")
    assert "月份" in answer.content.decode()


@pytest.mark.parametrize("month", ["2000-01", "2026-6", "2027-12"])
def test_the_months_in_range_are_accepted(city, month):
    with clock.frozen_at(MID_JUNE):
        assert city.client("analyst").get(f"/api/assessment?month={month}").status_code == 200
        assert city.client("analyst").get(f"/assessment/?month={month}").status_code == 200


def test_a_supervisor_drills_down_only_into_appeals_it_may_see(city):
    with clock.frozen_at(MID_JUNE):
        code = rate(city, True, True, "satisfied")
        office = city.street_offices[0].code
        assert behind(city.client("district_supervisor"), "2026-06", office, "all") == [code]
        # the same supervisor moved to the water company no longer sees the street's callbacks
        profile = city.users["district_supervisor"].staff
        profile.unit = city.water
        profile.save()
        assert behind(city.client("district_supervisor"), "2026-06", office, "all") == []
        assert behind(city.client("analyst"), "2026-06", office, "all") == [code]
