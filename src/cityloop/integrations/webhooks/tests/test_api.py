"""The key holder's API: subscribe, list, delete, read the delivery log; only with a key of
scope "webhooks", only its own subscriptions; bad input is a 4xx with a message; the
address guard refuses what is not http(s) and private or loopback addresses."""

from __future__ import annotations

import pytest
from django.test import Client

from cityloop.integrations.webhooks.models import Delivery, Subscription
from cityloop.integrations.webhooks.tests.helpers import key_for, subscribe
from cityloop.org.models import ApiKey, KeyScope
from cityloop.testing import post_json

URL = "http://127.0.0.1:9/hook"


def client(raw: str, **extra: str) -> Client:
    return Client(HTTP_X_API_KEY=raw, **extra)


@pytest.fixture
def loopback_allowed(settings):
    settings.CITYLOOP_WEBHOOKS_ALLOW_PRIVATE = True


def test_subscribe_list_read_the_log_and_delete(city, loopback_allowed):
    raw = key_for(city)
    made = subscribe(raw, URL, kinds=["reply", "dispatch", "reply"])
    assert made.status_code == 201
    created = made.json()
    assert created["kinds"] == ["dispatch", "reply"]
    assert len(created["secret"]) >= 32, "a secret is made when none is given, shown once"
    listed = client(raw).get("/api/webhooks/subscriptions").json()
    assert [s["id"] for s in listed] == [created["id"]] and "secret" not in listed[0]
    appeal = city.receive()
    log_url = f"/api/webhooks/subscriptions/{created['id']}/deliveries"
    (row,) = client(raw).get(log_url).json()
    assert (row["tracking_code"], row["kind"], row["status"]) == (
        appeal.tracking_code,
        "dispatch",
        "queued",
    )
    assert client(raw).get(log_url + "?status=sent").json() == []
    gone = client(raw).delete(f"/api/webhooks/subscriptions/{created['id']}")
    assert gone.status_code == 204
    assert client(raw).get("/api/webhooks/subscriptions").json() == []
    assert Delivery.objects.get().status == "cancelled", "what it had not sent is cancelled"
    assert client(raw).get(log_url).json()[0]["status"] == "cancelled", "its log stays"
    again = client(raw).delete(f"/api/webhooks/subscriptions/{created['id']}")
    assert again.status_code == 404
    uses = ApiKey.objects.get().uses.order_by("pk").values_list("status", flat=True)
    assert list(uses) == [201, 200, 200, 200, 204, 200, 200, 404], "every request is logged"


def test_only_a_webhooks_key_gets_in_and_only_to_its_own_subscriptions(city, loopback_allowed):
    mine, other = key_for(city), key_for(city)
    wrong_scope = key_for(city, scopes=[KeyScope.OPEN311_READ])
    made = subscribe(mine, URL).json()
    assert Client().get("/api/webhooks/subscriptions").status_code == 403
    keyless = post_json(Client(), "/api/webhooks/subscriptions", {"kinds": 5})
    assert keyless.status_code == 403, "the key is checked before the body is read"
    assert client("cl_nonsense").get("/api/webhooks/subscriptions").status_code == 403
    refused = client(wrong_scope).get("/api/webhooks/subscriptions")
    assert (refused.status_code, refused.json()["code"]) == (403, "api_key_scope")
    assert client(other).get("/api/webhooks/subscriptions").json() == []
    log_url = f"/api/webhooks/subscriptions/{made['id']}/deliveries"
    assert client(other).get(log_url).status_code == 404
    assert client(other).delete(f"/api/webhooks/subscriptions/{made['id']}").status_code == 404
    assert Subscription.objects.get().deleted_at is None
    by_query = Client().get(f"/api/webhooks/subscriptions?api_key={mine}")
    assert by_query.status_code == 200 and len(by_query.json()) == 1


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/hook",
        "file:///etc/passwd",
        "gopher://127.0.0.1:70/",
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://user:pw@example.org/hook",
        "not a url",
    ],
)
def test_the_guard_refuses_what_is_not_a_public_http_address(city, url):
    answer = subscribe(key_for(city), url)
    assert answer.status_code == 400, answer.content
    assert answer.json()["code"] == "invalid_url" and answer.json()["field"] == "url"
    assert not Subscription.objects.exists()


def test_loopback_is_allowed_only_by_the_setting(city, settings):
    raw = key_for(city)
    assert subscribe(raw, URL).status_code == 400
    settings.CITYLOOP_WEBHOOKS_ALLOW_PRIVATE = True
    assert subscribe(raw, URL).status_code == 201
    settings.CITYLOOP_WEBHOOKS_ALLOW_PRIVATE = True
    assert subscribe(raw, "ftp://127.0.0.1/hook").status_code == 400, "never another scheme"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"kinds": ["no_such_event"]}, "invalid_kinds"),
        ({"kinds": "dispatch"}, "invalid_input"),
        ({"secret": "short"}, "invalid_secret"),
        ({"url": ""}, "invalid_input"),
    ],
)
def test_bad_input_is_a_4xx_with_a_message(city, loopback_allowed, fields, code):
    answer = subscribe(key_for(city), **{"url": URL, **fields})
    assert 400 <= answer.status_code < 500
    assert answer.json()["code"] == code and answer.json()["message"]
    assert not Subscription.objects.exists()


def test_messages_are_in_the_users_language(city, settings):
    raw = key_for(city)
    body = '{"url": "ftp://example.org/"}'
    zh = client(raw).post("/api/webhooks/subscriptions", body, content_type="application/json")
    english = client(raw)
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = english.post("/api/webhooks/subscriptions", body, content_type="application/json")
    assert zh.json()["message"] == "推送地址须以 http:// 或 https:// 开头"
    assert en.json()["message"] == "The webhook URL must start with http:// or https://"


def test_the_administrator_reads_but_does_not_edit(city, loopback_allowed):
    subscribe(key_for(city), URL, secret="a-secret-never-shown-1")
    city.receive()
    admin = city.admin_client()
    page = admin.get("/admin/webhooks/subscription/")
    assert page.status_code == 200 and URL in page.content.decode()
    detail = admin.get(f"/admin/webhooks/subscription/{Subscription.objects.get().pk}/change/")
    assert detail.status_code == 200
    assert "a-secret-never-shown-1" not in detail.content.decode()
    assert admin.get("/admin/webhooks/delivery/").status_code == 200
    assert admin.get("/admin/webhooks/delivery/add/").status_code == 403
