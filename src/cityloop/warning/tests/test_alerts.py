"""Alerts: findings saved once, what supervisors may do with them, over services, the API
and the board."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from cityloop.kernel.errors import DomainError, NotFound, PermissionDenied
from cityloop.testing import TinyCity, post_json
from cityloop.warning import services
from cityloop.warning.findings import Finding, save_findings
from cityloop.warning.models import Alert, AlertKind, AlertStatus, WarningRun
from cityloop.warning.nightly import cluster_findings, rise_findings, topic_findings

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 20)


def _run() -> WarningRun:
    from cityloop.kernel import clock

    return WarningRun.objects.create(as_of=AS_OF, trigger="test", started_at=clock.now())


def _finding(city: TinyCity, **changes: object) -> Finding:
    values: dict[str, object] = {
        "kind": AlertKind.RISE,
        "method": "ours",
        "area_id": city.streets[0].pk,
        "category_id": city.category("城乡建设", "城市建设和市政管理", "城市公共设施").pk,
        "window_start": AS_OF - timedelta(days=1),
        "window_end": AS_OF,
        "observed": 14,
        "expected": 1.2,
        "statistic": 8,
        "threshold": 4,
    }
    return Finding(**{**values, **changes})  # type: ignore[arg-type]


def _alert(city: TinyCity, **changes: object) -> Alert:
    save_findings([_finding(city, **changes)], _run(), AS_OF_MOMENT())
    return Alert.objects.latest("pk")


def AS_OF_MOMENT():
    from cityloop.kernel import clock

    return clock.now()


# -- the detectors' findings ------------------------------------------------------------


def _quiet_rows(
    days: int, rate: float, seed: int
) -> tuple[list[tuple[int, int, date, int]], list[date]]:
    rng = np.random.default_rng(seed)
    dates = [AS_OF - timedelta(days=days - 1 - n) for n in range(days)]
    rows = [(7, 3, day, int(n)) for day, n in zip(dates, rng.poisson(rate, days), strict=True) if n]
    return rows, dates


def test_a_two_day_rise_makes_one_finding_over_both_days() -> None:
    rows, dates = _quiet_rows(400, 0.4, seed=1)
    rows = [row for row in rows if row[2] < dates[-2]]
    rows += [(7, 3, dates[-2], 9), (7, 3, dates[-1], 11)]
    [finding] = rise_findings(rows, as_of=AS_OF)
    assert (finding.area_id, finding.category_id) == (7, 3)
    assert (finding.window_start, finding.window_end) == (dates[-2], AS_OF)
    assert finding.observed == 20 and finding.expected < 2
    assert finding.statistic == 11 and finding.threshold is not None and finding.threshold < 9
    assert [d["count"] for d in finding.evidence["days"]] == [9, 11]


def test_a_quiet_series_and_a_busy_but_usual_one_make_no_finding() -> None:
    quiet, _ = _quiet_rows(400, 0.4, seed=2)
    busy, _ = _quiet_rows(400, 12.0, seed=3)
    busy = [(8, 3, day, n) for _, _, day, n in busy]
    assert rise_findings(quiet + busy, as_of=AS_OF) == []


def test_a_scan_finds_the_grid_where_cases_crowd_into_the_last_days(city: TinyCity) -> None:
    hot, cold = city.grids
    rows = [(grid.pk, AS_OF - timedelta(days=d), 2) for grid in (hot, cold) for d in range(3, 30)]
    rows += [(hot.pk, AS_OF - timedelta(days=d), 15) for d in range(3)]
    rows += [(cold.pk, AS_OF - timedelta(days=d), 2) for d in range(3)]
    [cluster] = cluster_findings(rows, as_of=AS_OF, replications=199)
    assert cluster.area_id == hot.pk and cluster.evidence["grids"] == [hot.pk]
    assert cluster.window_end == AS_OF and cluster.p_value is not None and cluster.p_value <= 0.01


# -- saved once -------------------------------------------------------------------------


def test_finding_it_again_updates_the_alert_and_keeps_a_supervisors_decision(
    city: TinyCity,
) -> None:
    appeal = city.receive()
    first = _finding(city, appeal_ids=[appeal.pk])
    assert save_findings([first], _run(), AS_OF_MOMENT()) == 1
    alert = Alert.objects.get()
    services.dismiss(alert.pk, actor=city.actor("supervisor"), reason="施工临时集中，已知")
    longer = _finding(city, window_end=AS_OF + timedelta(days=1), observed=20)
    assert save_findings([longer], _run(), AS_OF_MOMENT()) == 0
    alert = Alert.objects.get()
    assert alert.window_end == AS_OF + timedelta(days=1) and alert.observed == 20
    assert alert.status == AlertStatus.DISMISSED
    assert list(alert.appeals.all()) == []  # the appeals of the latest finding


# -- what supervisors do ----------------------------------------------------------------


def test_acknowledge_then_dismiss_records_who_when_why(city: TinyCity) -> None:
    alert = _alert(city)
    supervisor = city.actor("supervisor")
    services.acknowledge(alert.pk, actor=supervisor, reason="已通知街道核实")
    services.dismiss(alert.pk, actor=supervisor, reason="重复统计")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.DISMISSED
    history = [
        (a.action, a.from_status, a.to_status, a.actor.username, a.reason)
        for a in alert.actions.all()
    ]
    assert history == [
        ("acknowledge", "open", "acknowledged", "supervisor", "已通知街道核实"),
        ("dismiss", "acknowledged", "dismissed", "supervisor", "重复统计"),
    ]


def test_refusals_change_nothing(city: TinyCity) -> None:
    alert = _alert(city)
    with pytest.raises(DomainError) as blank:
        services.dismiss(alert.pk, actor=city.actor("supervisor"), reason="  ")
    assert blank.value.code == "reason_required"
    with pytest.raises(PermissionDenied):
        services.acknowledge(alert.pk, actor=city.actor("analyst"))
    with pytest.raises(PermissionDenied):
        services.acknowledge(alert.pk, actor=city.actor("handler1"))
    with pytest.raises(NotFound):
        services.acknowledge(alert.pk + 999, actor=city.actor("supervisor"))
    services.dismiss(alert.pk, actor=city.actor("supervisor"), reason="误报")
    with pytest.raises(DomainError) as again:
        services.acknowledge(alert.pk, actor=city.actor("supervisor"))
    assert again.value.code == "alert_state"
    alert.refresh_from_db()
    assert alert.status == AlertStatus.DISMISSED and alert.actions.count() == 1


def test_a_district_supervisor_sees_only_alerts_in_the_district(city: TinyCity) -> None:
    inside = _alert(city)
    citywide = _alert(city, area_id=None, kind=AlertKind.TOPIC, topic="燃气味", category_id=None)
    district = city.client("district_supervisor")
    listed = [a["id"] for a in district.get("/api/alerts").json()]
    assert listed == [inside.pk]
    assert district.get(f"/api/alerts/{citywide.pk}").status_code == 404
    refused = post_json(district, f"/api/alerts/{citywide.pk}/dismiss", {"reason": "x"})
    assert refused.status_code == 404
    centre = [a["id"] for a in city.client("supervisor").get("/api/alerts").json()]
    assert sorted(centre) == sorted([inside.pk, citywide.pk])


# -- over the API -----------------------------------------------------------------------


def test_api_lists_details_and_decides(city: TinyCity) -> None:
    appeal = city.receive()
    alert = _alert(city, appeal_ids=[appeal.pk])
    analyst = city.client("analyst")
    [row] = analyst.get("/api/alerts").json()
    assert row["kind"] == "rise" and row["area"] == city.streets[0].name
    detail = analyst.get(f"/api/alerts/{alert.pk}").json()
    assert detail["appeals"] == [appeal.tracking_code] and detail["appeals_total"] == 1
    assert post_json(analyst, f"/api/alerts/{alert.pk}/acknowledge", {}).status_code == 403
    supervisor = city.client("supervisor")
    assert post_json(supervisor, f"/api/alerts/{alert.pk}/dismiss", {}).status_code in (400, 422)
    done = post_json(supervisor, f"/api/alerts/{alert.pk}/dismiss", {"reason": "已核实为误报"})
    assert done.status_code == 200 and done.json()["status"] == "dismissed"
    history = supervisor.get(f"/api/alerts/{alert.pk}").json()["actions"]
    assert [(h["action"], h["actor"], h["reason"]) for h in history] == [
        ("dismiss", "supervisor", "已核实为误报")
    ]
    assert supervisor.get("/api/alerts?status=nonsense").status_code == 400
    assert supervisor.get("/api/alerts?status=dismissed").json()[0]["id"] == alert.pk
    assert city.client("handler1").get("/api/alerts").status_code == 403


# -- on the board -----------------------------------------------------------------------


def test_the_board_shows_an_alert_and_a_supervisor_dismisses_it_there(city: TinyCity) -> None:
    appeal = city.receive()
    alert = _alert(city, appeal_ids=[appeal.pk])
    supervisor = city.client("supervisor")
    board = supervisor.get("/warning/")
    assert board.status_code == 200
    assert f'data-alert="{alert.pk}"' in board.content.decode()
    page = supervisor.get(f"/warning/{alert.pk}/").content.decode()
    assert appeal.tracking_code in page and 'data-testid="dismiss"' in page
    refused = supervisor.post(f"/warning/{alert.pk}/dismiss/", {"reason": ""}, follow=True)
    assert "排除预警须说明理由" in refused.content.decode()
    supervisor.post(f"/warning/{alert.pk}/dismiss/", {"reason": "误报：数据重复"})
    alert.refresh_from_db()
    assert alert.status == AlertStatus.DISMISSED
    analyst_page = city.client("analyst").get(f"/warning/{alert.pk}/").content.decode()
    assert 'data-testid="dismiss"' not in analyst_page and "误报：数据重复" in analyst_page
    assert city.client("analyst").post(f"/warning/{alert.pk}/acknowledge/").status_code == 403
    assert city.client("handler1").get("/warning/").status_code == 403
    assert supervisor.get("/warning/99999/").status_code == 404


def test_a_rise_found_again_the_day_after_it_ended_continues_its_alert(city: TinyCity) -> None:
    save_findings([_finding(city)], _run(), AS_OF_MOMENT())
    next_day = AS_OF + timedelta(days=1)
    save_findings(
        [_finding(city, window_start=next_day, window_end=next_day)], _run(), AS_OF_MOMENT()
    )
    [alert] = Alert.objects.all()
    assert (alert.window_start, alert.window_end) == (AS_OF - timedelta(days=1), next_day)
    later = AS_OF + timedelta(days=3)  # a day without alarm between: a new alert
    save_findings([_finding(city, window_start=later, window_end=later)], _run(), AS_OF_MOMENT())
    assert Alert.objects.count() == 2


def test_a_phrase_that_bursts_in_the_last_two_days_is_a_topic_alert() -> None:
    rows = []
    for offset in range(0, 92):  # steady, the window included
        day = AS_OF - timedelta(days=offset)
        rows += [(offset * 10 + n, day, "小区门口路灯不亮，晚上很黑") for n in range(3)]
    burst = [
        (5000 + n, AS_OF - timedelta(days=n % 2), "楼道里有很浓的燃气味，担心泄漏")
        for n in range(15)
    ]
    # every phrase of the burst is carried by the same appeals: one topic
    [topic] = topic_findings(rows + burst, as_of=AS_OF)
    assert topic.kind == AlertKind.TOPIC and topic.window_end == AS_OF
    assert set(topic.appeal_ids) == {appeal_id for appeal_id, _, _ in burst}
    assert topic_findings(rows, as_of=AS_OF) == []


def test_the_nightly_run_is_scheduled_once_at_two_local_time() -> None:
    from django_q.models import Schedule

    from cityloop.kernel import clock
    from cityloop.testing import instant
    from cityloop.warning.jobs import ensure_schedules

    # 00:30 on the 1st in Beijing is still the last day of the month in UTC
    with clock.frozen_at(instant("2026-11-30T16:30:00+00:00")):
        ensure_schedules()
    with clock.frozen_at(instant("2026-12-01T09:00:00+00:00")):
        ensure_schedules()  # a worker restarted in the day keeps tonight's run
    [schedule] = Schedule.objects.filter(name="cityloop-nightly-warnings")
    assert schedule.next_run == instant("2026-11-30T18:00:00+00:00")
    assert schedule.func == "cityloop.warning.jobs.nightly_warnings"
