"""Opting out: the link at the end of every message opens a page that asks the citizen to
confirm; after that nothing more goes to that number (recorded as not sent, and why). Staff
record an opt-out a caller asked for on the phone in the admin."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from cityloop.notify.models import OptOut, Outbox
from cityloop.notify.sending import send_pending
from cityloop.notify.tests.helpers import messages, sms_files
from cityloop.testing import admin_save


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def stop_path(text: str) -> str:
    found = re.search(r"http://127\.0\.0\.1:8000(/notify/stop/\S+/)", text)
    assert found, text
    return found.group(1)


def test_the_link_in_a_message_stops_the_next_ones(client, city, data_dir):
    first = city.receive(auto_dispatch=False).tracking_code
    send_pending()
    path = stop_path(sms_files(data_dir)[f"{first}-1-sms"])

    asked = client.get(path)
    assert asked.status_code == 200
    assert "138****8000" in asked.content.decode() and "13800138000" not in asked.content.decode()
    assert not OptOut.objects.exists(), "opening the link (a mail scanner may) changes nothing"
    done = client.post(path)
    assert done.status_code == 200 and "已退订" in done.content.decode()
    assert client.post(path).status_code == 200, "confirming twice is fine"
    stopped = OptOut.objects.get()
    assert (stopped.channel, stopped.address, stopped.via_link) == ("sms", "13800138000", True)

    # the same number, written another way, on another appeal: not sent, and said so
    later = city.receive(caller_phone="138-0013-8000").tracking_code
    assert messages(later) == [("receipt", "sms", "skipped"), ("dispatched", "sms", "skipped")]
    assert Outbox.objects.filter(appeal__tracking_code=later)[0].skip_reason == "opted_out"
    assert send_pending()["sent"] == 0
    assert list(sms_files(data_dir)) == [f"{first}-1-sms"]


def test_a_message_queued_before_the_opt_out_is_skipped_when_its_turn_comes(client, city, data_dir):
    code = city.receive().tracking_code
    first = Outbox.objects.filter(appeal__tracking_code=code).first()
    assert first is not None
    from cityloop.notify.outbox import stop_token

    assert client.post(f"/notify/stop/{stop_token(first.key)}/").status_code == 200
    assert send_pending() == {"sent": 0, "failed": 0, "retrying": 0, "skipped": 2}
    assert messages(code) == [("receipt", "sms", "skipped"), ("dispatched", "sms", "skipped")]


@pytest.mark.parametrize("token", ["nonsense", "261201ABCDEF-1-sms:forged-signature"])
def test_a_forged_or_broken_link_is_refused_in_the_citizens_language(client, city, token):
    refused = client.get(f"/notify/stop/{token}/")
    assert refused.status_code == 404
    assert "退订链接无效" in refused.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.post(f"/notify/stop/{token}/")
    assert english.status_code == 404
    assert "unsubscribe link is not valid" in english.content.decode()
    assert not OptOut.objects.exists()


def test_staff_record_an_opt_out_in_the_admin(city, data_dir):
    admin = city.admin_client()
    admin_save(admin, "/admin/notify/optout/add/", channel="sms", address="139 0000 1111")
    assert OptOut.objects.get().address == "13900001111"
    again = admin.post(
        "/admin/notify/optout/add/", {"channel": "sms", "address": "13900001111", "note": ""}
    )
    assert again.status_code == 200
    assert "该号码或邮箱已退订" in again.content.decode()
    code = city.receive(caller_phone="13900001111").tracking_code
    assert {status for _k, _c, status in messages(code)} == {"skipped"}
