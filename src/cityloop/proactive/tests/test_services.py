"""Proposals (recurring, from forecasts, from alerts), their acceptance as proactive appeals
and their refusal; 每月一题 chosen and resolved; the proactive share."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from cityloop.appeals.enums import Channel, Status
from cityloop.appeals.models import Appeal
from cityloop.assessment.proactive_share import city_proactive_share, proactive_share_by_unit
from cityloop.kernel.errors import Conflict, DomainError, PermissionDenied
from cityloop.proactive import selectors, services
from cityloop.proactive.forecast import Forecast
from cityloop.proactive.models import MonthlyTopicStatus, Proposal, ProposalSource, ProposalStatus
from cityloop.proactive.outlook import SeriesOutlook
from cityloop.testing import instant

TODAY = date(2026, 5, 20)


def three_lights_out(city, *, street=0, start="2026-05-01T10:00:00+08:00"):
    first = instant(start)
    return [
        city.receive(street=street, received_at=first + timedelta(days=3 * i)) for i in range(3)
    ]


def recurring(city):
    return services.propose_recurring(as_of=TODAY, actor=city.actor("supervisor"))


def test_the_same_problem_at_the_same_place_is_proposed_once_to_the_responsible_unit(city):
    appeals = three_lights_out(city)
    city.receive(street=1, received_at=instant("2026-05-02T10:00:00+08:00"))  # once: no
    made = recurring(city)
    assert len(made) == 1
    proposal = made[0]
    assert proposal.source == ProposalSource.RECURRING
    assert proposal.unit == city.street_offices[0]
    assert proposal.area == city.grids[0]
    assert proposal.evidence["appeals"] == [a.tracking_code for a in appeals]
    assert "3件" in proposal.reason
    # proposing again updates, never duplicates
    assert [p.pk for p in recurring(city)] == [proposal.pk]
    assert Proposal.objects.count() == 1


def test_two_calls_are_not_yet_a_recurring_problem(city):
    three_lights_out(city)[0].delete()
    assert recurring(city) == []


def test_proactive_appeals_do_not_count_as_repeats(city):
    three_lights_out(city)
    services.accept(recurring(city)[0], actor=city.actor("supervisor"), note="")
    counted = selectors.repeats_at_places(since=date(2026, 4, 1), until=TODAY)
    assert [place.n for place in counted] == [3]


def test_accepting_makes_a_proactive_appeal_dispatched_to_the_unit(city):
    three_lights_out(city)
    proposal = recurring(city)[0]
    supervisor = city.actor("supervisor")
    accepted = services.accept(proposal, actor=supervisor, note="雨季前更换线路")
    appeal = accepted.appeal
    assert appeal.channel == Channel.PROACTIVE
    assert appeal.status == Status.DISPATCHED
    assert appeal.main_unit == city.street_offices[0]
    assert appeal.standard_address == city.addresses[0]
    assert "雨季前更换线路" in appeal.content
    assert "supervisor" in appeal.dispatch_reason
    assert accepted.status == ProposalStatus.ACCEPTED
    assert accepted.decided_by == city.users["supervisor"]
    assert accepted.decided_at is not None
    assert accepted.decision_note == "雨季前更换线路"
    with pytest.raises(Conflict):
        services.accept(accepted, actor=supervisor, note="")
    with pytest.raises(Conflict):
        services.decline(accepted, actor=supervisor, reason="不需要")
    # a decided proposal is not reopened by proposing again
    assert recurring(city)[0].status == ProposalStatus.ACCEPTED


def test_declining_needs_a_reason_and_records_it(city):
    three_lights_out(city)
    proposal = recurring(city)[0]
    with pytest.raises(DomainError) as refused:
        services.decline(proposal, actor=city.actor("supervisor"), reason="  ")
    assert refused.value.code == "invalid_reason"
    declined = services.decline(proposal, actor=city.actor("handler1"), reason="已列入明年计划")
    assert declined.status == ProposalStatus.DECLINED
    assert declined.decided_by == city.users["handler1"]
    assert declined.decision_note == "已列入明年计划"
    assert declined.appeal is None


@pytest.mark.parametrize("who", ["handler2", "analyst", "calltaker"])
def test_only_the_centre_and_the_units_own_staff_decide(city, who):
    three_lights_out(city)
    proposal = recurring(city)[0]  # street office 0's
    with pytest.raises(PermissionDenied):
        services.accept(proposal, actor=city.actor(who), note="")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED


def test_a_unit_sees_only_its_own_proposals(city):
    three_lights_out(city)
    recurring(city)
    assert selectors.visible_proposals(city.actor("handler1")).count() == 1
    assert selectors.visible_proposals(city.actor("handler2")).count() == 0
    assert selectors.visible_proposals(city.actor("district_supervisor")).count() == 1


def test_handlers_cannot_make_proposals(city):
    with pytest.raises(PermissionDenied):
        services.propose_recurring(as_of=TODAY, actor=city.actor("handler1"))


def outlook_of(city, usual, ahead):
    weeks = [date(2026, 5, 25) + timedelta(weeks=i) for i in range(len(ahead))]
    mean = np.array(ahead, float)
    category = city.category("城乡建设", "城市建设和市政管理")
    return SeriesOutlook(
        city.district.pk, city.district.name, category.pk, category.name,
        [date(2026, 5, 18)], np.array([usual]), usual, Forecast(weeks, mean, mean, mean, mean),
    )  # fmt: skip


def test_a_forecast_well_above_the_usual_week_is_proposed_before_it_rises(city, monkeypatch):
    rising = outlook_of(city, 5.0, [5, 5, 9, 9, 9, 9, 9, 9])
    steady = outlook_of(city, 5.0, [5.5] * 8)
    monkeypatch.setattr(services, "city_outlook", lambda **kw: [rising, steady])
    made = services.propose_from_forecasts(as_of=TODAY, actor=city.actor("supervisor"))
    assert len(made) == 1
    proposal = made[0]
    assert proposal.source == ProposalSource.FORECAST
    assert proposal.area == city.district
    assert proposal.act_by == date(2026, 6, 8)  # the first week at 1.3 × usual
    assert proposal.unit == city.district_gov  # no street in a district: the district's
    assert proposal.evidence["mean"][2] == 9
    again = services.propose_from_forecasts(as_of=TODAY, actor=city.actor("supervisor"))
    assert [p.pk for p in again] == [proposal.pk]


def test_a_month_of_topics(city, analytics_store):
    category = city.category("城乡建设", "城市建设和市政管理")
    for month, n in [("2026-02", 1), ("2026-03", 2), ("2026-04", 3)]:
        for i in range(n):
            city.receive(received_at=instant(f"{month}-1{i}T10:00:00+08:00"))
    city.receive(street=1, received_at=instant("2026-04-10T10:00:00+08:00"))
    city.receive(received_at=instant("2026-05-03T10:00:00+08:00"))  # May so far
    analytics_store()
    found = selectors.candidates(date(2026, 5, 1))  # chosen from April's problems
    assert [(c.area_id, c.count, c.previous, c.so_far) for c in found] == [
        (city.streets[0].pk, 3, 2, 1),
        (city.streets[1].pk, 1, 0, 0),
    ]
    assert found[0].months == [0, 0, 0, 1, 2, 3] and found[0].trend == 0.63  # 11 / 17.5
    supervisor = city.actor("supervisor")
    topic = services.choose(
        date(2026, 5, 1), category, city.streets[0], actor=supervisor, title="路灯", reason="高频"
    )
    assert topic.volume_before == 2  # (1 + 2 + 3) / 3
    assert topic.chosen_by == city.users["supervisor"]
    with pytest.raises(Conflict):
        services.choose(date(2026, 5, 9), category, city.streets[0], actor=supervisor, title="x")
    with pytest.raises(PermissionDenied):
        services.resolve(topic, actor=city.actor("handler1"), note="done")
    with pytest.raises(DomainError):
        services.resolve(topic, actor=supervisor, note="")
    city.receive(received_at=instant("2026-05-12T10:00:00+08:00"))
    analytics_store()  # the next night's export
    volume = selectors.volume_since_chosen(topic, until=date(2026, 6, 15))
    assert volume == {"before": 2, "months": ["2026-05", "2026-06"], "after": [2, 0]}
    done = services.resolve(topic, actor=supervisor, note="更换了线路")
    assert done.status == MonthlyTopicStatus.RESOLVED and done.resolution_note == "更换了线路"
    with pytest.raises(Conflict):
        services.resolve(done, actor=supervisor, note="again")
    assert selectors.candidates(date(2026, 5, 1))[0].chosen


def test_a_proactive_case_is_closed_by_the_centre_without_a_callback(city):
    from cityloop.evaluate.services import record_callback
    from cityloop.handling.services import close, reply, sign_for

    three_lights_out(city)
    case = services.accept(recurring(city)[0], actor=city.actor("supervisor"), note="").appeal
    handler = city.actor("handler1")
    sign_for(case.tracking_code, actor=handler)
    reply(case.tracking_code, actor=handler, text="已更换全部路灯灯泡")
    with pytest.raises(DomainError, match="no_caller_to_call_back"):
        record_callback(
            case.tracking_code, actor=city.actor("calltaker"), contacted=True, resolved=True,
            satisfaction="satisfied",
        )  # fmt: skip
    closed = close(case.tracking_code, actor=city.actor("supervisor"), reason="已核实完成")
    assert closed.status == Status.CLOSED and not closed.callbacks.exists()


def test_the_proactive_share_counts_accepted_proposals_apart(city):
    three_lights_out(city)
    services.accept(recurring(city)[0], actor=city.actor("supervisor"), note="")
    month = date.today().replace(day=1)  # the proactive appeal is received now
    city_share = city_proactive_share(month)
    assert city_share.proactive == 1
    by_unit = proactive_share_by_unit(month)
    assert [(s.unit_code, s.proactive) for s in by_unit] == [(city.street_offices[0].code, 1)]
    may = city_proactive_share(date(2026, 5, 1))
    assert (may.received, may.proactive, may.share) == (3, 0, 0.0)


def an_alert(city):
    from cityloop.kernel import clock
    from cityloop.warning.models import Alert

    return Alert.objects.create(
        fingerprint="rise:1", kind="rise", method="ours", area=city.grids[0],
        category=city.category("城乡建设", "城市建设和市政管理", "城市公共设施"),
        window_start=TODAY, window_end=TODAY, observed=9, expected=2, statistic=9,
        first_found_at=clock.now(), last_found_at=clock.now(),
    )  # fmt: skip


def test_responding_to_an_alert_accepts_a_proposal_and_marks_the_alert(city):
    from cityloop.warning.models import AlertStatus

    alert = an_alert(city)
    proposal = services.respond_to_alert(alert, actor=city.actor("supervisor"), note="派人排查")
    assert proposal.source == ProposalSource.ALERT and proposal.alert == alert
    assert proposal.status == ProposalStatus.ACCEPTED
    assert proposal.appeal.channel == Channel.PROACTIVE
    assert proposal.unit == city.street_offices[0]
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESPONDED and alert.response_appeal == proposal.appeal
    [action] = alert.actions.all()
    assert (action.action, action.actor.username, action.reason) == (
        "respond",
        "supervisor",
        "派人排查",
    )


def test_an_alert_already_dismissed_leaves_nothing_behind(city):
    from cityloop.warning.services import dismiss

    alert = an_alert(city)
    dismiss(alert.pk, actor=city.actor("supervisor"), reason="误报")
    alert.refresh_from_db()
    with pytest.raises(DomainError, match="alert_state"):
        services.respond_to_alert(alert, actor=city.actor("supervisor"), note="派人排查")
    assert not Proposal.objects.exists()
    assert not Appeal.objects.filter(channel=Channel.PROACTIVE).exists()


def test_an_alert_without_a_note_or_a_place_is_refused(city):
    alert = an_alert(city)
    with pytest.raises(DomainError, match="invalid_note"):
        services.respond_to_alert(alert, actor=city.actor("supervisor"), note=" ")
    alert.area = None
    with pytest.raises(DomainError, match="alert_without_place"):
        services.respond_to_alert(alert, actor=city.actor("supervisor"), note="x")


def test_only_supervisors_turn_an_alert_into_a_case_over_the_api(city):
    from cityloop.testing import post_json
    from cityloop.warning.models import AlertStatus

    alert = an_alert(city)
    url = f"/api/alerts/{alert.pk}/respond"
    assert post_json(city.client("analyst"), url, {"note": "派人排查"}).status_code == 403
    assert (
        post_json(
            city.client("supervisor"), "/api/alerts/999999/respond", {"note": "x"}
        ).status_code
        == 404
    )
    assert not Appeal.objects.filter(channel=Channel.PROACTIVE).exists()
    done = post_json(city.client("supervisor"), url, {"note": "派人排查"})
    assert done.status_code == 200 and done.json()["status"] == "accepted"
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESPONDED
    assert alert.response_appeal.tracking_code == done.json()["appeal_code"]
    again = post_json(city.client("supervisor"), url, {"note": "派人排查"})
    assert again.status_code in (400, 409)
