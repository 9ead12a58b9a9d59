"""Every refusal is the specification's error document in the asked format, with 403 for
keys, 404 for unknown things and 400 for the rest: never an HTML page, never a 500, and
nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cityloop.access import keys
from cityloop.appeals.models import Appeal
from cityloop.integrations.open311.tests.helpers import errors_of, form, issue
from cityloop.org.models import ApiKey, ApiKeyUse, KeyScope
from cityloop.testing import TinyCity

pytestmark = pytest.mark.django_db


def _refused(answer: Any, status: int) -> str:
    assert answer.status_code == status, answer.content
    items = errors_of(answer)
    assert items[0]["code"] == status and items[0]["description"]
    return str(items[0]["description"])


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_keys_missing_bad_revoked_or_out_of_scope_are_403(city: TinyCity, fmt: str) -> None:
    url = f"/open311/v2/requests.{fmt}"
    raw = issue(city)
    assert "api_key" in _refused(Client().post(url, form(city, raw, api_key=None)), 403)
    _refused(Client().post(url, form(city, raw, api_key="cl_guessed")), 403)
    read_only = issue(city, KeyScope.OPEN311_READ)
    _refused(Client().post(url, form(city, read_only)), 403)
    write_only = issue(city, KeyScope.OPEN311_WRITE)
    _refused(Client().get(f"{url}?api_key={write_only}"), 403)  # a key given to read must read
    keys.revoke_key(ApiKey.objects.get(prefix=raw[:10]).pk, actor=city.actor("admin"))
    _refused(Client().post(url, form(city, raw)), 403)
    assert not Appeal.objects.exists()


def test_a_key_over_its_rate_is_refused_and_every_use_logged(city: TinyCity, still_clocks) -> None:
    raw = issue(city, KeyScope.OPEN311_READ, rate=2)
    url = f"/open311/v2/requests.json?api_key={raw}"
    assert Client().get(url).status_code == 200
    assert Client().get(url).status_code == 200
    answer = Client().get(url)
    assert answer.status_code == 429 and int(answer["Retry-After"]) >= 1
    assert list(ApiKeyUse.objects.order_by("pk").values_list("status", flat=True)) == [200, 200]


@pytest.mark.parametrize(
    "url",
    [
        "/open311/v2/requests/NOSUCHCODE.json",
        "/open311/v2/tokens/261201ABCDEF:forged.json",
        "/open311/v2/requests.json?service_code=NOPE",
        "/open311/v2/nothing-here.json",
        "/open311/v3/services.json",
        "/open311/v2/requests.json?jurisdiction_id=elsewhere",
    ],
)
def test_unknown_things_are_404_in_json(city: TinyCity, url: str) -> None:
    _refused(Client().get(url), 404)


def test_unknown_path_without_format_is_404_in_xml(city: TinyCity) -> None:
    answer = Client().get("/open311/v2/whatever")
    assert answer.status_code == 404 and answer["Content-Type"].startswith("text/xml")


@pytest.mark.parametrize(
    "query",
    [
        "start_date=2026-13-45",
        "start_date=yesterday",
        "end_date=0001-01-01T00:00:00Z",
        "start_date=9999-12-31",
        "updated_before=0001-01-01T00:00:00-12:00",
        "end_date=2026-02-30T00:00:00Z",
        "start_date=2026-01-01&end_date=2025-01-01",
        "start_date=2025-01-01&end_date=2026-01-01",  # more than 90 days
        "updated_after=" + "9" * 500,
        "status=pending",
        "page=0",
        "page=99999999999999999999999",
        "page_size=5000",
        "page_size=-1",
        "extensions=maybe",
        "service_request_id=" + ",".join(["X"] * 1001),
    ],
)
def test_bad_read_parameters_are_400(city: TinyCity, query: str) -> None:
    _refused(Client().get(f"/open311/v2/requests.json?{query}"), 400)


def test_unknown_read_parameters_are_ignored(city: TinyCity) -> None:
    assert Client().get("/open311/v2/requests.json?colour=blue&x[]=1").status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        {"service_code": None},
        {"service_code": "NOPE"},  # 404 below
        {"address_id": None},  # no location at all
        {"address_id": "NO-SUCH-ADDRESS"},
        {"address_id": None, "lat": "north", "long": "116.4"},
        {"address_id": None, "lat": "nan", "long": "116.4"},
        {"address_id": None, "lat": "39.9"},  # lat without long
        {"address_id": None, "lat": "95", "long": "116.4"},
        {"attribute[colour]": "red"},
        {"attribute[urgency]": "yesterday"},
        {"attribute[people_affected]": "-3"},
        {"attribute[noticed_at]": "2026-02-30"},
        {"attribute[urgency][]": ["normal", "emergency"]},
        {"attribute[[x]]": "1"},
        {"description": "长" * 4001},
        {"phone": "call me maybe"},
        {"email": "not-an-email"},
        {"media_url": "javascript:alert(1)"},
        {"first_name": "名" * 60},
    ],
)
def test_bad_posts_are_refused_and_nothing_is_written(city: TinyCity, change: dict) -> None:
    raw = issue(city)
    answer = Client().post("/open311/v2/requests.json", form(city, raw, **change))
    _refused(answer, 404 if change.get("service_code") == "NOPE" else 400)
    assert not Appeal.objects.exists()


def test_unknown_post_fields_are_ignored_as_the_spec_allows(city: TinyCity) -> None:
    raw = issue(city)
    fields = form(city, raw, device_id="abc", account_id="42", colour="blue")
    answer = Client().post("/open311/v2/requests.json", fields)
    assert answer.status_code == 200 and answer.json()[0]["account_id"] == "42"


def test_wrong_encodings_and_bodies_are_400(city: TinyCity, settings) -> None:
    raw = issue(city)
    url = "/open311/v2/requests.json"
    fields = form(city, raw)
    body = "&".join(f"{k}={v}" for k, v in fields.items()).encode("gbk")
    ctype = "application/x-www-form-urlencoded"
    _refused(Client().post(url, body, content_type=ctype), 400)  # GBK, not UTF-8
    _refused(Client().post(url, b"api_key=" + raw.encode() + b"&x=\x00", content_type=ctype), 400)
    _refused(Client().post(url, {"a": "b"}, content_type="application/json"), 400)
    _refused(Client().post(url, b"--nope\r\nbroken", content_type="multipart/form-data"), 400)
    multipart = "multipart/form-data; boundary=xyz"
    declared = Client().post(url, b"x", content_type=multipart, CONTENT_LENGTH=str(10**10))
    _refused(declared, 400)  # refused from its declared length, before reading
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    huge = {**fields, "description": "长" * 20_000}
    _refused(Client().post(url, huge), 400)
    _refused(Client().post(url, huge, content_type=ctype), 400)  # not even a form
    assert not Appeal.objects.exists()


def test_unknown_format_and_method(city: TinyCity) -> None:
    _refused(Client().get("/open311/v2/services.html"), 400)
    answer = Client().delete("/open311/v2/requests.json")
    assert answer.status_code == 405 and errors_of(answer) and "POST" in answer["Allow"]


def test_errors_speak_english_when_asked(city: TinyCity) -> None:
    answer = Client().get("/open311/v2/services/NOPE.json", HTTP_ACCEPT_LANGUAGE="en")
    assert _refused(answer, 404) == "Unknown service: NOPE"
    answer = Client().get("/open311/v2/services/NOPE.json")
    assert _refused(answer, 404) == "未知的服务：NOPE"


def test_nul_and_too_many_fields_in_a_query_are_400(city: TinyCity, settings) -> None:
    _refused(Client().get("/open311/v2/requests.json?service_code=a%00b"), 400)
    _refused(Client().get("/open311/v2/requests/AB%00CD.json"), 400)
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    query = "&".join(f"f{i}=1" for i in range(10))
    _refused(Client().get(f"/open311/v2/requests.json?{query}"), 400)


def test_the_json_side_is_described_for_tools(city: TinyCity) -> None:
    document = Client().get("/open311/v2/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) >= {"/requests.json", "/services/{service_code}.json"}
    assert document["servers"][0]["url"].endswith("/open311/v2")


def test_unknown_ids_are_counted_per_address_without_a_key(city: TinyCity, settings) -> None:
    settings.CITYLOOP_THROTTLES = {**settings.CITYLOOP_THROTTLES, "track_miss_per_ip": ("2/h",)}
    appeal = city.receive()
    for _attempt in range(2):
        _refused(Client().get("/open311/v2/requests/NOSUCHCODE.json"), 404)
    answer = Client().get(f"/open311/v2/requests/{appeal.tracking_code}.json")
    assert answer.status_code == 429 and errors_of(answer)
    raw = issue(city, KeyScope.OPEN311_READ)  # a key is limited by its own rate instead
    answer = Client().get(f"/open311/v2/requests/{appeal.tracking_code}.json?api_key={raw}")
    assert answer.status_code == 200
