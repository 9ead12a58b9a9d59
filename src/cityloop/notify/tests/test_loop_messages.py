"""Each step of the loop that matters to the citizen writes its messages, in the step's own
transaction, and the worker's send puts them in the file backend's folder: the receipt
with the tracking code, the unit it went to, the reply, a granted extension, reopening and
closing; by SMS and, when the citizen gave one, by e-mail."""

from __future__ import annotations

import pytest

from cityloop.notify.sending import send_pending
from cityloop.notify.tests.helpers import email_files, messages, sms_files
from cityloop.testing import intake_over_api, post_json


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def test_every_step_that_matters_tells_the_citizen_by_sms_and_email(city, data_dir):
    created = intake_over_api(city, email="Wang@Example.com", auto_dispatch=True)
    assert created.status_code == 201, created.content
    code = created.json()["tracking_code"]
    assert messages(code) == [
        ("receipt", "sms", "queued"),
        ("receipt", "email", "queued"),
        ("dispatched", "sms", "queued"),
        ("dispatched", "email", "queued"),
    ]
    assert sms_files(data_dir) == {}, "nothing is sent before the worker sends"

    assert send_pending() == {"sent": 4, "failed": 0, "retrying": 0, "skipped": 0}
    sms = sms_files(data_dir)
    receipt = sms[f"{code}-1-sms"]
    assert receipt.startswith("To: 13800138000\n")
    assert f"查询码 {code}" in receipt and f"/track/{code}/" in receipt
    assert "退订：http://127.0.0.1:8000/notify/stop/" in receipt
    dispatched = sms[f"{code}-2-sms"]
    assert "建外街道办事处" in dispatched and "办结时限 20" in dispatched
    mail = email_files(data_dir)[f"{code}-1-email"]
    assert mail["To"] == "wang@example.com"
    assert code in mail["Subject"] and code in mail.get_content()

    handler = city.client("handler1")
    assert post_json(handler, f"/api/appeals/{code}/sign-for").status_code == 200
    asked = post_json(
        handler, f"/api/appeals/{code}/extensions", {"extra_working_days": 3, "reason": "需采购"}
    )
    assert asked.status_code == 201, asked.content
    supervisor = city.client("supervisor")
    granted = post_json(
        supervisor, f"/api/extensions/{asked.json()['id']}/decision", {"approve": True}
    )
    assert granted.status_code == 200, granted.content
    assert (
        post_json(handler, f"/api/appeals/{code}/reply", {"text": "路灯已修复"}).status_code == 200
    )
    closed = post_json(
        city.client("dispatcher"), f"/api/appeals/{code}/close", {"reason": "已办结"}
    )
    assert closed.status_code == 200, closed.content
    calltaker = city.client("calltaker")
    reopened = post_json(calltaker, f"/api/appeals/{code}/reopen", {"reason": "路灯又坏了"})
    assert reopened.status_code == 200, reopened.content
    assert post_json(handler, f"/api/appeals/{code}/sign-for").status_code == 200
    assert (
        post_json(handler, f"/api/appeals/{code}/reply", {"text": "已更换灯具"}).status_code == 200
    )

    kinds = [kind for kind, channel, _status in messages(code) if channel == "sms"]
    # signing for, asking for time and the request's own steps tell the citizen nothing
    assert kinds == [
        "receipt",
        "dispatched",
        "extended",
        "replied",
        "closed",
        "reopened",
        "replied",
    ]
    assert send_pending()["sent"] == 10
    texts = sms_files(data_dir).values()
    assert sum("经批准延期办理" in text for text in texts) == 1
    assert sum("已由建外街道办事处办结答复" in text for text in texts) == 2
    assert sum("已重新交建外街道办事处办理" in text for text in texts) == 1
    assert sum("已办理完毕并关闭" in text for text in texts) == 1
    replies = [m.get_content() for m in email_files(data_dir).values() if "已办结" in m["Subject"]]
    assert sorted("路灯已修复" in text for text in replies) == [False, True]
    assert sorted("已更换灯具" in text for text in replies) == [False, True]
    assert send_pending()["sent"] == 0, "what was sent is not sent again"


def test_a_refused_intake_writes_no_message_and_a_rejected_extension_tells_nothing(city, data_dir):
    refused = intake_over_api(city, email="not an address")
    assert refused.status_code == 400
    assert refused.json()["field"] == "email"
    code = city.receive().tracking_code
    handler = city.actor("handler1")
    from cityloop.handling.services import sign_for
    from cityloop.oversight.services import decide_extension, request_extension

    sign_for(code, actor=handler)
    asked = request_extension(code, actor=handler, extra_working_days=2, reason="需协调")
    decide_extension(asked.pk, actor=city.actor("supervisor"), approve=False, note="不同意")
    assert [kind for kind, _c, _s in messages(code)] == ["receipt", "dispatched"]


def test_a_landline_gets_no_sms_and_the_outbox_says_why(city, data_dir):
    code = city.receive(caller_phone="010-65001234").tracking_code
    assert messages(code) == [("receipt", "sms", "skipped"), ("dispatched", "sms", "skipped")]
    assert send_pending()["sent"] == 0
    assert sms_files(data_dir) == {}


def test_a_citizen_report_with_an_email_gets_the_receipt_by_email(client, city, data_dir):
    reported = post_json(
        client,
        "/api/public/appeals",
        {"content": "光华路路灯不亮", "caller_phone": "13900001111", "email": "li@example.org"},
    )
    assert reported.status_code == 201, reported.content
    code = reported.json()["tracking_code"]
    send_pending()
    assert email_files(data_dir)[f"{code}-1-email"]["To"] == "li@example.org"
    assert f"{code}-1-sms" in sms_files(data_dir)
