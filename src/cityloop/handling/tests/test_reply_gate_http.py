"""The reply check as a gate (settings.CITYLOOP_REPLY_GATE): warn, confirm, block."""

from __future__ import annotations

import pytest

from cityloop.appeals.models import Appeal, AppealEvent
from cityloop.testing import intake_over_api, post_json

WEAK = "已处理"
GOOD = (
    "经现场核查，光华路1号院门口路灯损坏属实，已安排维修人员更换灯具，路灯已恢复照明。"
    "根据《城市照明管理办法》，我们将每月巡查一次，如仍有问题可拨打12345反映。"
)


def _signed(city) -> str:
    code = intake_over_api(city, content="光华路1号院门口的路灯坏了", auto_dispatch=True).json()[
        "tracking_code"
    ]
    assert post_json(city.client("handler1"), f"/api/appeals/{code}/sign-for").status_code == 200
    return code


def test_confirm_mode_stops_a_weak_reply_until_the_handler_gives_a_reason(city, settings):
    settings.CITYLOOP_REPLY_GATE = "confirm"
    code = _signed(city)
    handler = city.client("handler1")
    stopped = post_json(handler, f"/api/appeals/{code}/reply", {"text": WEAK})
    assert stopped.status_code == 400
    assert (stopped.json()["code"], stopped.json()["field"]) == ("weak_reply", "confirm_reason")
    assert "答复过短" in stopped.json()["message"]
    assert Appeal.objects.get(tracking_code=code).status == "signed"

    sent = post_json(
        handler,
        f"/api/appeals/{code}/reply",
        {"text": WEAK, "confirm_reason": "诉求人电话中已确认修好，要求简短答复"},
    )
    assert sent.status_code == 200, sent.content
    assert (sent.json()["status"], sent.json()["reply_flagged"]) == ("replied", True)
    event = AppealEvent.objects.filter(appeal__tracking_code=code, action="reply").get()
    assert event.changes["weak_reply_confirmed"][1] == "诉求人电话中已确认修好，要求简短答复"


def test_confirm_mode_lets_a_good_reply_through_unasked(city, settings):
    settings.CITYLOOP_REPLY_GATE = "confirm"
    code = _signed(city)
    sent = post_json(city.client("handler1"), f"/api/appeals/{code}/reply", {"text": GOOD})
    assert sent.status_code == 200, sent.content
    assert (sent.json()["status"], sent.json()["reply_flagged"]) == ("replied", False)


def test_warn_mode_lets_a_weak_reply_through_flagged(city, settings):
    settings.CITYLOOP_REPLY_GATE = "warn"
    code = _signed(city)
    sent = post_json(city.client("handler1"), f"/api/appeals/{code}/reply", {"text": WEAK})
    assert (sent.json()["status"], sent.json()["reply_flagged"]) == ("replied", True)


@pytest.mark.parametrize("mode", ["block"])
def test_block_mode_holds_a_weak_reply_for_review_accept_counts_it(city, settings, mode):
    settings.CITYLOOP_REPLY_GATE = mode
    code = _signed(city)
    held = post_json(city.client("handler1"), f"/api/appeals/{code}/reply", {"text": WEAK})
    assert held.status_code == 200, held.content
    body = held.json()
    assert body["status"] == "reply_review"
    assert body["replied_at"] is None
    assert city.client("calltaker").get(f"/api/public/track/{code}").json()["reply_text"] == ""
    # not yet replied: the callback cannot be taken
    callback = post_json(
        city.client("calltaker"),
        f"/api/appeals/{code}/callback",
        {"contacted": True, "resolved": True, "satisfaction": "satisfied"},
    )
    assert callback.status_code == 400
    handler_accepts = post_json(city.client("handler1"), f"/api/appeals/{code}/reply/accept", {})
    assert handler_accepts.status_code == 403
    accepted = post_json(city.client("supervisor"), f"/api/appeals/{code}/reply/accept", {})
    assert accepted.status_code == 200, accepted.content
    assert (accepted.json()["status"], accepted.json()["reply_flagged"]) == ("replied", False)
    assert accepted.json()["replied_at"] is not None
    assert accepted.json()["assignments"][0]["status"] == "replied"


def test_block_mode_return_sends_it_back_to_the_unit_with_the_reason(city, settings):
    settings.CITYLOOP_REPLY_GATE = "block"
    code = _signed(city)
    post_json(city.client("handler1"), f"/api/appeals/{code}/reply", {"text": WEAK})
    supervisor = city.client("supervisor")
    no_reason = post_json(supervisor, f"/api/appeals/{code}/reply/return", {"reason": ""})
    assert no_reason.status_code == 422 or no_reason.status_code == 400
    returned = post_json(
        supervisor, f"/api/appeals/{code}/reply/return", {"reason": "请说明更换了什么、何时修好"}
    )
    assert returned.status_code == 200, returned.content
    assert returned.json()["status"] == "in_progress"
    event = AppealEvent.objects.filter(appeal__tracking_code=code).order_by("-seq").first()
    assert (event.action, event.reason) == ("return_reply", "请说明更换了什么、何时修好")
    again = post_json(city.client("handler1"), f"/api/appeals/{code}/reply", {"text": GOOD})
    assert again.json()["status"] == "replied"


def test_a_flagged_reply_that_went_through_can_be_returned_before_the_callback(city, settings):
    settings.CITYLOOP_REPLY_GATE = "warn"
    code = _signed(city)
    post_json(city.client("handler1"), f"/api/appeals/{code}/reply", {"text": WEAK})
    returned = post_json(
        city.client("supervisor"), f"/api/appeals/{code}/reply/return", {"reason": "答复过于简单"}
    )
    assert returned.json()["status"] == "in_progress"
    assert returned.json()["assignments"][0]["status"] == "signed"
    good = _signed(city)
    post_json(city.client("handler1"), f"/api/appeals/{good}/reply", {"text": GOOD})
    not_flagged = post_json(city.client("supervisor"), f"/api/appeals/{good}/reply/accept", {})
    assert not_flagged.status_code == 400
    assert not_flagged.json()["code"] == "reply_not_flagged"


def test_the_board_lists_weak_replies_with_headers_and_actions(city, settings):
    settings.CITYLOOP_REPLY_GATE = "block"
    code = _signed(city)
    post_json(city.client("handler1"), f"/api/appeals/{code}/reply", {"text": WEAK})
    supervisor = city.client("supervisor")
    page = supervisor.get("/board/").content.decode()
    table = page[page.index('data-testid="weak-replies"') :]
    assert "存疑原因" in table and code in table and "答复待审核" in table
    accepted = supervisor.post(f"/appeals/{code}/accept_reply/", {"next": "/board/"})
    assert accepted.status_code == 302 and accepted["Location"] == "/board/"
    assert Appeal.objects.get(tracking_code=code).status == "replied"


def test_the_appeal_page_asks_for_a_reason_to_send_a_weak_reply(city, settings):
    settings.CITYLOOP_REPLY_GATE = "confirm"
    code = _signed(city)
    handler = city.client("handler1")
    stopped = handler.post(f"/appeals/{code}/reply/", {"text": WEAK})
    assert stopped.status_code == 400
    html = stopped.content.decode()
    assert 'name="confirm_reason"' in html and "答复质量存疑" in html
    sent = handler.post(f"/appeals/{code}/reply/", {"text": WEAK, "confirm_reason": "群众要求"})
    assert sent.status_code == 302
    assert Appeal.objects.get(tracking_code=code).status == "replied"
