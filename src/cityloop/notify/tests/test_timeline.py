"""What became of each message is on the appeal's timeline, beside the step it tells of (the
API's timeline and the staff page), the address masked; the public tracking page says the
code went by SMS only once it did."""

from __future__ import annotations

import pytest

from cityloop.notify.sending import send_pending
from cityloop.testing import intake_over_api


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def test_the_api_timeline_shows_each_message_and_its_outcome(city):
    code = intake_over_api(city, email="wang@example.com", auto_dispatch=True).json()[
        "tracking_code"
    ]
    staff = city.client("dispatcher")
    queued = staff.get(f"/api/appeals/{code}/timeline").json()
    receipt = queued[0]["notices"]
    assert [(n["channel"], n["status"], n["attempts"]) for n in receipt] == [
        ("sms", "queued", 0),
        ("email", "queued", 0),
    ]
    assert receipt[0]["to"] == "138****8000" and receipt[1]["to"] == "w***@example.com"
    send_pending()
    timeline = staff.get(f"/api/appeals/{code}/timeline").json()
    assert [e["action"] for e in timeline if e["notices"]] == ["receive", "dispatch"]
    sent = timeline[0]["notices"][0]
    assert (sent["status"], sent["status_label"], sent["attempts"]) == ("sent", "已发送", 1)
    assert sent["sent_at"] is not None and sent["kind_label"] == "受理回执"
    analyst = city.client("analyst").get(f"/api/appeals/{code}/timeline").json()
    assert analyst[0]["notices"][0]["to"] == "138****8000"


def test_the_staff_page_shows_the_messages_on_the_timeline(city):
    code = city.receive(caller_phone="010-65001234").tracking_code
    page = city.client("dispatcher").get(f"/appeals/{code}/").content.decode()
    assert page.count('data-testid="notice"') == 2
    assert "不是手机号码，无法发送短信" in page and "65001234" not in page.split("timeline")[-1]


def test_the_tracking_page_says_the_code_went_by_sms_only_once_it_did(client, city):
    code = city.receive(auto_dispatch=False).tracking_code
    lookup = client.get("/track/").content.decode()
    assert "通过短信发送" not in lookup
    before = client.get(f"/track/{code}/").content.decode()
    assert 'data-testid="receipt-sms"' not in before
    send_pending()
    after = client.get(f"/track/{code}/").content.decode()
    assert "查询码已通过短信发送至 138****8000" in after
    assert "13800138000" not in after
