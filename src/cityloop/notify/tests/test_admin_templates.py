"""Administrators edit the message templates in the admin: a template with an unknown or
broken placeholder is refused with the list of those allowed, and a saved edit is what the
next message says."""

from __future__ import annotations

import pytest

from cityloop.notify.models import MessageTemplate
from cityloop.notify.sending import send_pending
from cityloop.notify.tests.helpers import messages, sms_files
from cityloop.testing import admin_form, admin_save


def change_url(kind: str, channel: str) -> str:
    template = MessageTemplate.objects.get(kind=kind, channel=channel)
    return f"/admin/notify/messagetemplate/{template.pk}/change/"


def test_every_kind_has_its_templates_from_the_start(db):
    assert MessageTemplate.objects.count() == 12


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("查询码 {tracking_code}，电话 {caller_phone}", "未知的占位符 {caller_phone}"),
        ("单位 {unit.name}", "未知的占位符 {unit.name}"),
        ("查询码 {0}", "未知的占位符 {0}"),
        ("查询码 {tracking_code", "花括号不成对"),
    ],
)
def test_a_broken_template_is_refused_with_a_clear_message(city, body, message):
    admin = city.admin_client()
    url = change_url("receipt", "sms")
    before = MessageTemplate.objects.get(kind="receipt", channel="sms").body
    refused = admin.post(url, admin_form(admin, url, body=body))
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors
    assert message in errors["body"][0]
    if message.startswith("未知"):
        assert "可用的占位符：{tracking_code}、{title}" in errors["body"][0]
    assert MessageTemplate.objects.get(kind="receipt", channel="sms").body == before


def test_an_edited_template_is_what_the_next_message_says(city, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    admin = city.admin_client()
    admin_save(
        admin,
        change_url("receipt", "sms"),
        body="【12345】已受理，查询码{tracking_code}，{{请保存}}",
    )
    code = city.receive(auto_dispatch=False).tracking_code
    send_pending()
    assert f"已受理，查询码{code}，{{请保存}} 退订：" in sms_files(tmp_path)[f"{code}-1-sms"]


def test_a_template_switched_off_sends_nothing_of_its_kind(city):
    admin = city.admin_client()
    admin_save(admin, change_url("dispatched", "sms"), is_active=False)
    code = city.receive().tracking_code
    assert messages(code) == [("receipt", "sms", "queued"), ("dispatched", "sms", "skipped")]
