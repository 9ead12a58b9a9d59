"""未诉先办 pages: the proposals (accept / decline), the 每月一题 board over htmx, the forecast,
the proactive share on the assessment page, and who may open them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cityloop.kernel import clock
from cityloop.proactive import services
from cityloop.proactive.models import MonthlyTopic, ProposalStatus
from cityloop.testing import instant


@pytest.fixture
def proposal(city):
    first = instant("2026-05-01T10:00:00+08:00")
    for i in range(3):
        city.receive(received_at=first + timedelta(days=i))
    return services.propose_recurring(as_of=date(2026, 5, 20), actor=city.actor("supervisor"))[0]


def test_a_supervisor_accepts_a_proposal_and_sees_its_appeal(city, proposal):
    client = city.client("supervisor")
    page = client.get("/proactive/")
    assert proposal.title in page.content.decode()
    done = client.post(
        f"/proactive/{proposal.pk}/decide/", {"decision": "accept", "note": "提前维护"}, follow=True
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED
    assert proposal.appeal.tracking_code in done.content.decode()
    accepted = client.get("/proactive/?status=accepted").content.decode()
    assert f'data-testid="proactive-appeal">{proposal.appeal.tracking_code}' in accepted


def test_declining_without_a_reason_says_why_and_changes_nothing(city, proposal):
    done = city.client("handler1").post(
        f"/proactive/{proposal.pk}/decide/", {"decision": "decline", "note": ""}, follow=True
    )
    assert "请填写不采纳的理由" in done.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED


def test_another_units_proposal_is_not_found(city, proposal):
    answer = city.client("handler2").post(
        f"/proactive/{proposal.pk}/decide/", {"decision": "accept"}
    )
    assert answer.status_code == 404


def test_choosing_and_resolving_a_topic_over_htmx(city, analytics_store):
    last_month = clock.add_months(clock.this_month(), -1)
    city.receive(received_at=clock.start_of_day(last_month) + timedelta(days=9, hours=10))
    analytics_store()
    client = city.client("supervisor")
    month = clock.this_month()
    board = client.get("/proactive/topics/").content.decode()
    assert 'data-testid="choose"' in board
    street, category = city.streets[0], city.category("城乡建设", "城市建设和市政管理")
    form = {
        "month": f"{month:%Y-%m}",
        "area_id": street.pk,
        "category_id": category.pk,
        "title": "路灯",
    }
    swapped = client.post("/proactive/topics/choose/", form, HTTP_HX_REQUEST="true")
    html = swapped.content.decode()
    assert swapped.status_code == 200 and html.startswith('<div id="topics-board">')
    assert "已选定为本月一题" in html and "<h1>" not in html
    again = client.post("/proactive/topics/choose/", form, HTTP_HX_REQUEST="true")
    assert "本月已选定该题目" in again.content.decode()
    topic = MonthlyTopic.objects.get()
    blank = client.post(
        f"/proactive/topics/{topic.pk}/resolve/", {"note": ""}, HTTP_HX_REQUEST="true"
    )
    assert "请填写解决情况" in blank.content.decode()
    client.post(
        f"/proactive/topics/{topic.pk}/resolve/", {"note": "已修复"}, HTTP_HX_REQUEST="true"
    )
    topic.refresh_from_db()
    assert topic.status == "resolved" and topic.resolution_note == "已修复"


def test_a_bad_month_on_the_board_is_a_400(city):
    assert city.client("supervisor").get("/proactive/topics/?month=2026-13").status_code == 400


def test_the_forecast_page_draws_one_series(city, analytics_store):
    for i in range(24):
        city.receive(received_at=clock.now() - timedelta(days=7 + 3.5 * i))
    analytics_store()
    page = city.client("analyst").get("/proactive/forecast/?horizon=3")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="forecast-data"' in html and "朝阳区 · 城乡建设" in html
    # nonsense in the query falls back to a sensible view
    assert city.client("analyst").get("/proactive/forecast/?series=x&horizon=y").status_code == 200


@pytest.mark.parametrize(
    ("who", "url", "status"),
    [
        ("calltaker", "/proactive/", 403),
        ("handler1", "/proactive/", 200),
        ("handler1", "/proactive/topics/", 403),
        ("handler1", "/proactive/forecast/", 403),
        ("analyst", "/proactive/topics/", 200),
    ],
)
def test_who_may_open_which_page(city, who, url, status):
    assert city.client(who).get(url).status_code == status


def test_the_nav_shows_the_proactive_link_to_the_roles_allowed(city):
    assert "/proactive/" in city.client("supervisor").get("/board/").content.decode()
    assert "/proactive/" not in city.client("calltaker").get("/console/").content.decode()


def test_the_assessment_page_shows_the_proactive_share(city, proposal):
    services.accept(proposal, actor=city.actor("supervisor"), note="")
    page = city.client("supervisor").get(f"/assessment/?month={clock.this_month():%Y-%m}")
    html = page.content.decode()
    assert 'data-testid="proactive-share"' in html
    assert city.street_offices[0].name in html.split('data-testid="proactive-share"')[1]
    assert "其中主动治理 1 件" in html


def test_the_pages_read_in_english(city, proposal):
    client = city.client("supervisor")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/proactive/").content.decode()
    assert "Proactive work · proposals" in html and "Accept and dispatch" in html
    assert "Frequent problems" in client.get("/proactive/topics/").content.decode()
    refused = client.post(f"/proactive/{proposal.pk}/decide/", {"decision": "decline"}, follow=True)
    assert "Please give the reason for declining" in refused.content.decode()
