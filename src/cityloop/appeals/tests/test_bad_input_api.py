"""Bad input on the JSON API: never a 500, never a change, always the declared error body
(ErrorOut {code, message, field}) with a message in plain Chinese."""

from __future__ import annotations

import re

import pytest

from cityloop.appeals.models import Appeal, AppealEvent
from cityloop.handling.services import sign_for
from cityloop.oversight.models import SupervisionOrder
from cityloop.testing import post_json

ENGLISH_WORDS = re.compile(r"[A-Za-z][a-z]{3,}")  # words, not acronyms like JSON


def assert_error_body(response, status, code=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert {"code", "message", "field"} <= set(body), body
    assert isinstance(body["message"], str) and body["message"]
    if code:
        assert body["code"] == code, body
    return body


def intake(**fields):
    return {"content": "小区门口路灯坏了", "caller_phone": "13800138000", **fields}


@pytest.mark.parametrize("url", ["/api/appeals", "/api/replies/flagged"])
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("offset=-1", "offset"),
        (f"offset={2**70}", "offset"),
        (f"limit={2**70}", "limit"),
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
    ],
)
def test_list_apis_refuse_pages_out_of_range(city, url, query, field):
    city.receive()
    body = assert_error_body(city.client("supervisor").get(f"{url}?{query}"), 422, "invalid_input")
    assert body["field"] == field
    assert not ENGLISH_WORDS.search(body["message"]), body["message"]


def test_a_page_in_range_still_lists(city):
    codes = [city.receive().tracking_code for _ in range(3)]
    page = city.client("supervisor").get("/api/appeals?limit=2&offset=1")
    assert page.status_code == 200
    assert len(page.json()) == 2 and page.json()[0]["tracking_code"] in codes


@pytest.mark.parametrize(
    "path",
    [
        "/api/public/track/A%2FB",
        "/api/public/track/A%00B",
        "/api/public/track/" + "A" * 3000,
        "/api/public/track/%E4%BD%A0%E5%A5%BD",
        "/api/appeals/A%00B",
        "/api/appeals/A%2FB/timeline",
    ],
)
def test_odd_tracking_codes_are_not_found_in_the_error_body(city, path):
    body = assert_error_body(city.client("supervisor").get(path), 404)
    assert "不存在" in body["message"]
    assert "\x00" not in body["message"] and len(body["message"]) < 80


@pytest.mark.parametrize(
    "url",
    ["/api/appeals", "/api/public/appeals", "/api/understand", "/api/appeals/X/contact"],
)
def test_unparseable_json_gets_the_declared_error_body(city, url):
    before = Appeal.objects.count()
    body = assert_error_body(
        post_json(city.client("calltaker"), url, "{not json"), 400, "invalid_json"
    )
    assert "JSON" in body["message"]
    assert Appeal.objects.count() == before


def test_invalid_utf8_in_a_json_body_is_refused(city):
    response = post_json(
        city.client("calltaker"), "/api/appeals", b'{"content": "\xff\xfe", "x": 1}'
    )
    assert_error_body(response, 400, "invalid_json")
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_json_sent_as_another_type_is_refused_and_nothing_written(city, content_type):
    response = post_json(
        city.client("calltaker"), "/api/appeals", intake(), content_type=content_type
    )
    body = assert_error_body(response, 415, "unsupported_media_type")
    assert "application/json" in body["message"]
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("text", ["路灯\x00坏了", "路灯\ud800坏了"])
def test_unstorable_characters_are_refused(city, text):
    response = post_json(city.client("calltaker"), "/api/appeals", intake(content=text))
    body = assert_error_body(response, 422, "invalid_input")
    assert body["field"] == "content" and "诉求内容" in body["message"]
    assert not Appeal.objects.exists()


def test_text_longer_than_its_column_is_refused_with_the_field_named(city):
    response = post_json(city.client("calltaker"), "/api/appeals", intake(address_text="路" * 201))
    body = assert_error_body(response, 422, "invalid_input")
    assert body["field"] == "address_text"
    assert body["message"] == "事发地址最多 200 个字"
    assert not Appeal.objects.exists()


def test_validation_messages_are_plain_chinese(city):
    calltaker = city.client("calltaker")
    missing = assert_error_body(post_json(calltaker, "/api/appeals", {"caller_phone": "1"}), 422)
    assert missing["message"] == "请填写诉求内容" and missing["field"] == "content"
    wrong_type = assert_error_body(post_json(calltaker, "/api/appeals", intake(lat="north")), 422)
    assert wrong_type["message"] == "纬度应为数字"
    not_an_object = assert_error_body(post_json(calltaker, "/api/appeals", "[1, 2]"), 422)
    assert not_an_object["message"] == "请求体应为 JSON 对象"
    for body in (missing, wrong_type, not_an_object):
        assert not ENGLISH_WORDS.search(body["message"]), body["message"]


@pytest.mark.parametrize("hours", [-5, 0, 100_000])
def test_supervision_hours_out_of_range_are_refused(city, hours):
    code = city.receive().tracking_code
    response = post_json(
        city.client("supervisor"),
        f"/api/appeals/{code}/supervision",
        {"requirement": "请尽快处理", "respond_within_hours": hours},
    )
    body = assert_error_body(response, 422, "invalid_input")
    assert body["field"] == "respond_within_hours" and "反馈时限" in body["message"]
    assert not SupervisionOrder.objects.exists()


@pytest.mark.parametrize("payload", [{}, {"note": ""}, {"note": "   "}])
def test_an_empty_contact_note_is_refused(city, payload):
    code = city.receive().tracking_code
    sign_for(code, actor=city.actor("handler1"))
    events = AppealEvent.objects.count()
    response = post_json(city.client("handler1"), f"/api/appeals/{code}/contact", payload)
    body = assert_error_body(response, 400, "reason_required")
    assert "联系情况" in body["message"]
    assert Appeal.objects.get(tracking_code=code).status == "signed"
    assert AppealEvent.objects.count() == events


def test_the_schema_declares_every_error_the_api_answers(city):
    schema = city.client("supervisor").get("/api/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            assert {"400", "415", "422", "429"} <= declared, (method, path, declared)
            if not path.startswith("/api/public/"):
                assert "401" in declared, (method, path)


def test_refusals_and_faults_inside_an_operation_keep_the_error_body(city, monkeypatch):
    from django_ratelimit.exceptions import Ratelimited

    supervisor = city.client("supervisor")
    supervisor.raise_request_exception = False

    def limited(actor):
        raise Ratelimited()

    monkeypatch.setattr("cityloop.appeals.selectors.visible_appeals", limited)
    body = assert_error_body(supervisor.get("/api/appeals"), 429, "too_many_requests")
    assert "频繁" in body["message"]

    def broken(actor):
        raise RuntimeError("database went away")

    monkeypatch.setattr("cityloop.appeals.selectors.visible_appeals", broken)
    body = assert_error_body(supervisor.get("/api/appeals"), 500, "server_error")
    assert "database" not in body["message"]
