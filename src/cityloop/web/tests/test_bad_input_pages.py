"""Bad input on the pages: refused with a Chinese message, nothing stored, never Django's
bare English error pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cityloop.appeals.models import Appeal, AppealEvent
from cityloop.handling.models import Attachment
from cityloop.handling.services import sign_for
from cityloop.oversight.models import SupervisionOrder
from cityloop.testing import png_bytes

REPORT = {
    "content": "小区门口路灯坏了一周",
    "address_text": "光华路1号",
    "caller_phone": "13800138000",
}


def png(name="photo.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def fake_gif(name="photo.gif"):
    return SimpleUploadedFile(name, b"GIF89a<html><script>alert(1)</script></html>", "image/gif")


@pytest.mark.parametrize(
    "path",
    ["/track/A/B/", "/track/AB%2FCD/", "/track/A%00B/", "/track/" + "A" * 3000 + "/", "/nowhere/"],
)
def test_odd_tracking_codes_get_a_chinese_not_found_page(city, path):
    page = Client().get(path)
    html = page.content.decode()
    assert page.status_code == 404
    assert "不存在" in html and "Not Found" not in html
    assert 'lang="zh-hans"' in html


@pytest.mark.parametrize("path", ["/appeals/A%2FB/", "/appeals/A%00B/", "/appeals/A/B/C/"])
def test_odd_codes_on_the_staff_appeal_page_are_not_found(city, path):
    page = city.client("supervisor").get(path)
    assert page.status_code == 404
    assert "不存在" in page.content.decode()


def test_a_real_server_error_is_readable_in_chinese(city, monkeypatch):
    def broken(request, code):
        raise RuntimeError("database went away")

    monkeypatch.setattr("cityloop.web.pages.citizen.lookup", broken)
    page = Client(raise_request_exception=False).get("/track/ABCD1234/")
    html = page.content.decode()
    assert page.status_code == 500
    assert "系统故障" in html and "Server Error" not in html


@pytest.mark.parametrize(
    "body",
    [
        b"content=%FF%FE%E8bad&address_text=x&caller_phone=13800138000",
        b"content=ok&address_text=%C3%28&caller_phone=13800138000",
        b"content=a%00b&address_text=x&caller_phone=13800138000",
    ],
)
def test_unreadable_citizen_report_is_refused_and_nothing_stored(city, body):
    page = Client().post("/report/", data=body, content_type="application/x-www-form-urlencoded")
    assert page.status_code == 400
    assert "无法识别的字符" in page.content.decode()
    assert not Appeal.objects.exists()


def test_unreadable_console_intake_is_refused_and_nothing_stored(city):
    body = b"caller_phone=13800138000&content=%B7%BD%B1%E3&address_text=x"  # GBK bytes
    page = city.client("calltaker").post(
        "/console/", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert page.status_code == 400
    assert not Appeal.objects.exists()


def test_an_address_longer_than_its_column_is_refused_on_the_report_form(city):
    page = Client().post("/report/", {**REPORT, "address_text": "路" * 250})
    html = page.content.decode()
    assert page.status_code == 400
    assert "最多只能填 200 个字" in html
    assert "确保该变量" not in html
    assert not Appeal.objects.exists()


def test_a_file_that_only_starts_like_an_image_is_refused(city):
    page = Client().post("/report/", {**REPORT, "attachments": fake_gif()})
    assert page.status_code == 400
    assert "能正常打开的图片" in page.content.decode()
    assert not Appeal.objects.exists() and not Attachment.objects.exists()


def test_a_real_photo_is_accepted_with_the_report(city):
    page = Client().post("/report/", {**REPORT, "attachments": png()})
    assert page.status_code == 302
    stored = Attachment.objects.get()
    assert stored.content_type == "image/png"


def test_uploads_on_the_appeal_page_are_decoded(city):
    code = city.receive().tracking_code
    handler = city.client("handler1")
    events = AppealEvent.objects.count()
    refused = handler.post(f"/appeals/{code}/attach/", {"attachments": fake_gif()})
    assert refused.status_code == 400 and not Attachment.objects.exists()
    empty = handler.post(f"/appeals/{code}/attach/", {})
    assert empty.status_code == 400
    assert "请选择要上传的文件" in empty.content.decode()
    assert AppealEvent.objects.count() == events, "nothing recorded for a refused upload"
    accepted = handler.post(f"/appeals/{code}/attach/", {"attachments": png()})
    assert accepted.status_code == 302 and Attachment.objects.count() == 1


@pytest.mark.parametrize("hours", ["-5", "0", "100000"])
def test_supervision_with_absurd_hours_is_refused_on_the_page(city, hours):
    code = city.receive().tracking_code
    page = city.client("supervisor").post(
        f"/appeals/{code}/supervise/", {"requirement": "请尽快处理", "respond_within_hours": hours}
    )
    assert page.status_code == 400
    assert "反馈时限须在 1 到 720 小时之间" in page.content.decode()
    assert not SupervisionOrder.objects.exists()


def test_an_empty_contact_note_is_refused_on_the_page(city):
    code = city.receive().tracking_code
    sign_for(code, actor=city.actor("handler1"))
    page = city.client("handler1").post(f"/appeals/{code}/record_contact/", {"note": " "})
    assert page.status_code == 400
    assert "请填写联系情况" in page.content.decode()
    assert Appeal.objects.get(tracking_code=code).status == "signed"


@pytest.mark.parametrize("typed", ["A/B", "../x", "A\x00B", "A" * 3000, "查询码"])
def test_odd_codes_typed_into_the_tracking_form_are_not_found(city, typed):
    page = Client(raise_request_exception=False).get("/track/", {"code": typed})
    assert page.status_code == 404
    assert "不存在" in page.content.decode()


def test_a_code_typed_in_lower_case_still_finds_the_appeal(city):
    code = city.receive().tracking_code
    page = Client().get("/track/", {"code": f" {code.lower()} "})
    assert page.status_code == 302 and page["Location"] == f"/track/{code}/"


def test_an_oversized_upload_is_refused_with_the_limit(city):
    from cityloop.handling import attachments

    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (attachments.MAX_BYTES + 1))
    page = Client().post("/report/", {**REPORT, "attachments": big})
    assert page.status_code == 400
    assert "文件过大（最大 10 MB）" in page.content.decode()
    assert not Appeal.objects.exists()
