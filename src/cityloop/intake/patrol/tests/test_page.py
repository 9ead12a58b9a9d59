"""The patrol page and who sees what: a grid worker sees their own grid's open appeals (the
public version) and their own reports, nothing of another grid, and no case pages."""

from __future__ import annotations

from cityloop.appeals.enums import Status
from cityloop.appeals.models import Appeal
from cityloop.intake.patrol.models import PatrolReport
from cityloop.intake.patrol.selectors import grid_open_appeals, patrol_history
from cityloop.intake.patrol.services import PatrolDraft, report_problem
from cityloop.intake.patrol.tests.conftest import IN_MY_GRID, add_grid_worker, photo

NAME = "张建国"


def _form(**changes: object) -> dict[str, object]:
    return {
        "text": "北门人行道井盖松动",
        "lat": IN_MY_GRID[0],
        "lng": IN_MY_GRID[1],
        "location_source": "device",
        "accuracy_m": "12",
        "way": "sent",
        "before": photo(),
        **changes,
    }


def test_a_worker_sees_only_their_grids_open_appeals_masked(city, worker):
    mine = city.receive(street=0, caller_name=NAME, content=f"我是{NAME}，门口路灯坏了")
    other = city.receive(street=1)
    closed = city.replied(street=0)
    Appeal.objects.filter(pk=closed.pk).update(status=Status.CLOSED)

    listed, total = grid_open_appeals(worker)
    assert [a.tracking_code for a in listed] == [mine.tracking_code] and total == 1

    page = city.client("gridworker").get("/patrol/")
    assert page.status_code == 200
    text = page.content.decode()
    assert mine.tracking_code in text
    assert other.tracking_code not in text and closed.tracking_code not in text
    assert NAME not in text and "13800138000" not in text  # the public version only


def test_a_worker_opens_no_case_page_not_even_their_streets(city, worker):
    appeal = city.receive(street=0)
    client = city.client("gridworker")
    assert client.get(f"/appeals/{appeal.tracking_code}/").status_code in (403, 404)
    assert client.get(f"/api/appeals/{appeal.tracking_code}").status_code in (403, 404)


def test_history_is_the_workers_own(city, worker):
    add_grid_worker(city, "colleague")
    from cityloop.access.actors import Actor
    from cityloop.intake.patrol.services import assign_grid

    assign_grid("colleague", city.grids[0].code, actor=Actor.system())
    draft = PatrolDraft(
        text="路面塌陷",
        lat=IN_MY_GRID[0],
        lng=IN_MY_GRID[1],
        handled_on_spot=False,
        before=[photo()],
    )
    report_problem(draft, actor=city.actor("colleague"))
    assert patrol_history(worker) == []
    assert len(patrol_history(city.actor("colleague"))) == 1


def test_only_grid_workers_with_a_grid_open_the_page(city, worker, client):
    assert client.get("/patrol/").status_code == 302  # log in first
    assert city.client("handler1").get("/patrol/").status_code == 403
    add_grid_worker(city, "newcomer")
    refused = city.client("newcomer").get("/patrol/")
    assert refused.status_code == 403 and "还没有分配负责的网格" in refused.content.decode()


def test_a_worker_lands_on_the_patrol_page_and_sees_it_in_the_bar(city, worker):
    from django.test import Client

    from cityloop.testing import PASSWORD

    client = Client()
    landed = client.post("/accounts/login/", {"username": "gridworker", "password": PASSWORD})
    assert landed.status_code == 302 and landed["Location"].endswith("/patrol/")
    assert 'href="/patrol/"' in client.get("/patrol/").content.decode()
    assert 'href="/patrol/"' not in city.client("handler1").get("/worklist/").content.decode()


def test_posting_on_spot_closes_it_and_shows_it_in_history(city, worker):
    client = city.client("gridworker")
    answer = client.post(
        "/patrol/",
        _form(way="on_spot", action_taken="已将井盖复位固定", after=photo("后.png")),
        follow=True,
    )
    assert answer.status_code == 200
    report = PatrolReport.objects.get()
    assert report.appeal.status == Status.CLOSED and report.accuracy_m == 12
    text = answer.content.decode()
    assert "已记录自行处置并办结" in text and report.appeal.tracking_code in text


def test_posting_sent_dispatches_it(city, worker):
    answer = city.client("gridworker").post("/patrol/", _form(), follow=True)
    assert "已进入派单流程" in answer.content.decode()
    assert PatrolReport.objects.get().appeal.status in (Status.RECEIVED, Status.DISPATCHED)


def test_bad_posts_are_400_with_the_message_in_chinese_or_english(city, worker, settings):
    client = city.client("gridworker")
    no_text = client.post("/patrol/", _form(text=""))
    assert no_text.status_code == 400
    no_place = client.post("/patrol/", _form(lat="", lng=""))
    assert no_place.status_code == 400
    assert "请获取手机定位" in no_place.content.decode()
    no_after = client.post("/patrol/", _form(way="on_spot", action_taken="已处理"))
    assert no_after.status_code == 400 and "处置后的照片" in no_after.content.decode()
    not_a_number = client.post("/patrol/", _form(lat="north"))
    assert not_a_number.status_code == 400
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.post("/patrol/", _form(lat="", lng=""))
    assert english.status_code == 400
    assert "or pick the place on the map" in english.content.decode()
    assert not PatrolReport.objects.exists()


def _queries_of_page(client: object) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as seen:
        assert client.get("/patrol/").status_code == 200  # type: ignore[attr-defined]
    return len(seen.captured_queries)


def test_the_page_costs_the_same_queries_with_more_reports(city, worker):
    def report(on_spot: bool) -> None:
        changes = {"action_taken": "已复位固定", "after": [photo()]} if on_spot else {}
        draft = PatrolDraft(
            text="井盖松动",
            lat=IN_MY_GRID[0],
            lng=IN_MY_GRID[1],
            handled_on_spot=on_spot,
            before=[photo()],
            **changes,
        )
        report_problem(draft, actor=worker)

    report(True)
    report(False)
    client = city.client("gridworker")
    _queries_of_page(client)  # the first request fills the configuration caches
    few = _queries_of_page(client)
    for on_spot in (True, False, True, False):
        report(on_spot)
    assert _queries_of_page(client) == few
