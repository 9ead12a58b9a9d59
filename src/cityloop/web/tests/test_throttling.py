"""Guessing and flooding, tried over HTTP the way an attacker would: wrong passwords, phone
digits, tracking codes and tokens, and floods of reports. Limits: settings.CITYLOOP_THROTTLES
and AXES_*; every test starts with no counted attempts (testing._fresh_throttle_counts)."""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db import connections
from django.test import Client

from cityloop.appeals.enums import Status
from cityloop.appeals.models import Appeal
from cityloop.evaluate.models import Callback
from cityloop.org.models import ApiToken
from cityloop.testing import PASSWORD, later_by

# throttle windows and cache epochs must not turn over in the middle of a test
pytestmark = pytest.mark.usefixtures("still_clocks")

RIGHT_DIGITS = "8000"  # TinyCity.receive() registers the caller as 13800138000


def limit(name: str) -> int:
    """The smallest count among a throttle's rates (the first one a burst runs into)."""
    return min(int(rate.split("/")[0]) for rate in settings.CITYLOOP_THROTTLES[name])


def from_address(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def evaluate(client: Client, code: str, digits: str):
    body = {"phone_last4": digits, "contacted": True, "resolved": True, "satisfaction": "satisfied"}
    return client.post(
        f"/api/public/track/{code}/evaluation",
        data=json.dumps(body),
        content_type="application/json",
    )


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# ── staff login: django-axes locks a user name at an address ────────────────────────────


def test_five_wrong_passwords_lock_the_user_name_and_then_refuse_the_right_one(city, caplog):
    attacker = from_address("203.0.113.7")
    for attempt in range(1, settings.AXES_FAILURE_LIMIT):
        wrong = attacker.post("/accounts/login/", {"username": "handler1", "password": "x"})
        assert wrong.status_code == 200, attempt
        assert "用户名或密码不正确" in wrong.content.decode()
    with caplog.at_level(logging.WARNING):
        locking = attacker.post("/accounts/login/", {"username": "handler1", "password": "x"})
    assert locking.status_code == 429
    assert "已锁定 30 分钟" in locking.content.decode()

    right = attacker.post("/accounts/login/", {"username": "handler1", "password": PASSWORD})
    assert right.status_code == 429 and 'data-testid="login-locked"' in right.content.decode()
    assert not logged_in(attacker)
    assert any(
        "handler1" in r.getMessage() and "203.0.113.7" in r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING
    ), "the lock is logged with the user name and the address"

    colleague = from_address("198.51.100.20")
    ok = colleague.post("/accounts/login/", {"username": "handler1", "password": PASSWORD})
    assert ok.status_code == 302 and logged_in(colleague), "the lock is per user name + address"


def test_the_admin_login_is_locked_the_same_way(city):
    attacker = from_address("203.0.113.8")
    statuses = [
        attacker.post("/admin/login/", {"username": "handler1", "password": "x"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]


def test_the_login_lock_lifts_after_the_cool_off(city):
    attacker = from_address("203.0.113.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post("/accounts/login/", {"username": "handler1", "password": "x"})
    right = {"username": "handler1", "password": PASSWORD}
    assert attacker.post("/accounts/login/", right).status_code == 429

    aged = AccessAttempt.objects.get(username="handler1")
    aged.attempt_time -= settings.AXES_COOLOFF_TIME + timedelta(seconds=1)
    aged.save(update_fields=["attempt_time"])

    assert attacker.post("/accounts/login/", right).status_code == 302
    assert logged_in(attacker)


def test_many_user_names_from_one_address_are_refused(city, caplog):
    """Password spraying: one wrong password per user name never trips axes' per-name lock."""
    sprayer = from_address("203.0.113.10")
    allowed = limit("login_failure_per_ip")
    for n in range(allowed):
        response = sprayer.post("/accounts/login/", {"username": f"user{n}", "password": "x"})
        assert response.status_code == 200, n
    with caplog.at_level(logging.WARNING, logger="cityloop.throttle"):
        refused = sprayer.post("/accounts/login/", {"username": "handler1", "password": PASSWORD})
    assert refused.status_code == 429
    assert "登录失败次数过多" in refused.content.decode()
    assert not logged_in(sprayer)
    assert "login_failure_per_ip" in caplog.text and "203.0.113.10" in caplog.text

    other = from_address("198.51.100.21")
    assert (
        other.post("/accounts/login/", {"username": "handler1", "password": PASSWORD}).status_code
        == 302
    )


# ── citizen evaluation: four digits are 10,000 guesses ──────────────────────────────────


def test_evaluation_guesses_are_capped_per_appeal_even_from_many_addresses(city, caplog):
    appeal = city.replied(text="已更换灯泡")
    allowed = limit("evaluation_per_appeal")
    for n in range(allowed):
        wrong = evaluate(from_address(f"10.1.0.{n + 1}"), appeal.tracking_code, f"{n:04d}")
        assert wrong.status_code == 403 and wrong.json()["code"] == "phone_mismatch"

    with caplog.at_level(logging.WARNING, logger="cityloop.throttle"):
        right = evaluate(from_address("10.1.9.9"), appeal.tracking_code, RIGHT_DIGITS)
    assert right.status_code == 429
    body = right.json()
    assert body["code"] == "too_many_requests" and body["field"] is None
    assert "评价验证失败次数过多" in body["message"] and "12345" in body["message"]
    assert int(right["Retry-After"]) > 0
    assert f"key={appeal.tracking_code}" in caplog.text and "10.1.9.9" in caplog.text

    appeal.refresh_from_db()
    assert appeal.status == Status.REPLIED, "the forged rating changed nothing"
    assert not Callback.objects.filter(appeal=appeal).exists()


def test_evaluation_guesses_are_capped_per_address_over_many_appeals(city):
    # enough appeals that none of them reaches its own limit first
    appeals = [city.replied(text="已更换灯泡") for _ in range(5)]
    guesser = from_address("10.2.0.1")
    allowed = limit("evaluation_per_ip")
    statuses = [
        evaluate(guesser, appeals[n % 5].tracking_code, f"{n:04d}").status_code
        for n in range(allowed + 1)
    ]
    assert statuses == [403] * allowed + [429]


def test_the_evaluation_page_refuses_the_right_digits_once_locked(city):
    appeal = city.replied(text="已更换灯泡")
    page = f"/track/{appeal.tracking_code}/"
    form = {"contacted": "yes", "resolved": "yes", "satisfaction": "satisfied"}
    for n in range(limit("evaluation_per_appeal")):
        wrong = from_address(f"10.3.0.{n + 1}").post(page, {**form, "phone_last4": f"{n:04d}"})
        assert wrong.status_code == 400
    right = Client().post(page, {**form, "phone_last4": RIGHT_DIGITS})
    html = right.content.decode()
    assert right.status_code == 429
    assert "评价验证失败次数过多" in html and 'role="alert"' in html
    appeal.refresh_from_db()
    assert appeal.status == Status.REPLIED


def test_the_evaluation_lock_lifts_after_the_window(city, monkeypatch):
    appeal = city.replied(text="已更换灯泡")
    for n in range(limit("evaluation_per_appeal")):
        evaluate(Client(), appeal.tracking_code, f"{n:04d}")
    assert evaluate(Client(), appeal.tracking_code, RIGHT_DIGITS).status_code == 429

    later_by(monkeypatch, 3600 + 1)
    rated = evaluate(Client(), appeal.tracking_code, RIGHT_DIGITS)
    assert rated.status_code == 200, rated.content
    assert rated.json()["status"] == "evaluated"


def test_parallel_guesses_cannot_slip_past_the_count(city_tx):
    """Guesses sent at once from many workers: the counter's increment is atomic, so exactly
    the allowed number reach the digit check (Django's plain database cache loses counts)."""
    appeal = city_tx.replied(text="已更换灯泡")

    def guess(n: int) -> int:
        try:
            client = from_address(f"10.4.{n // 200}.{n % 200 + 1}")
            return evaluate(client, appeal.tracking_code, f"{n:04d}").status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(guess, range(40)))
    assert statuses.count(403) == limit("evaluation_per_appeal")
    assert statuses.count(429) == 40 - limit("evaluation_per_appeal")


# ── floods of reports ────────────────────────────────────────────────────────────────────


def report_form(n: int) -> dict[str, str]:
    return {
        "content": f"小区门口路灯坏了（第{n}次）",
        "address_text": "光华路1号院",
        "caller_phone": "13800001111",
    }


def test_a_flood_of_reports_from_one_address_is_refused(city, monkeypatch):
    flooder = from_address("203.0.113.30")
    allowed = limit("report_per_ip")
    for n in range(allowed):
        assert flooder.post("/report/", report_form(n)).status_code == 302, n
    before = Appeal.objects.count()

    refused = flooder.post("/report/", report_form(99))
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "提交过于频繁" in html and "小区门口路灯坏了（第99次）" in html, "what was typed stays"
    api = flooder.post(
        "/api/public/appeals",
        data=json.dumps({"title": "路灯", "content": "路灯坏了", "caller_phone": "13800001111"}),
        content_type="application/json",
    )
    assert api.status_code == 429 and api.json()["code"] == "too_many_requests"
    assert Appeal.objects.count() == before, "refused reports create nothing"

    neighbour = from_address("203.0.113.31")
    assert neighbour.post("/report/", report_form(100)).status_code == 302

    later_by(monkeypatch, 60 + 1)
    assert flooder.post("/report/", report_form(101)).status_code == 302


def test_a_flood_through_the_public_api_is_refused(city):
    flooder = from_address("203.0.113.32")
    body = json.dumps({"title": "路灯", "content": "路灯坏了", "caller_phone": "13800001111"})
    statuses = [
        flooder.post("/api/public/appeals", data=body, content_type="application/json").status_code
        for _ in range(limit("report_per_ip") + 1)
    ]
    assert statuses == [201] * limit("report_per_ip") + [429]
    assert Appeal.objects.count() == limit("report_per_ip")


# ── tracking codes, tokens, caller history ───────────────────────────────────────────────


def test_walking_the_tracking_codes_is_refused(city):
    appeal = city.receive()
    walker = from_address("203.0.113.40")
    misses = limit("track_miss_per_ip")
    for n in range(misses):
        assert walker.get(f"/api/public/track/261130AAA{n:03d}").status_code == 404
    api = walker.get(f"/api/public/track/{appeal.tracking_code}")
    assert api.status_code == 429 and "查询码输错次数过多" in api.json()["message"]
    page = walker.get(f"/track/{appeal.tracking_code}/")
    assert page.status_code == 429 and "查询码输错次数过多" in page.content.decode()

    citizen = from_address("198.51.100.40")
    for _ in range(misses + 5):
        assert citizen.get(f"/track/{appeal.tracking_code}/").status_code == 200, (
            "looking up one's own appeal again and again is never limited"
        )


def test_guessing_api_tokens_is_refused(city):
    token = ApiToken.issue(city.users["dispatcher"], "client")
    guesser = from_address("203.0.113.50")
    allowed = limit("token_failure_per_ip")
    statuses = [
        guesser.get("/api/appeals", HTTP_AUTHORIZATION=f"Bearer guess-{n}").status_code
        for n in range(allowed + 1)
    ]
    assert statuses == [401] * allowed + [429]
    refused = guesser.get("/api/appeals", HTTP_AUTHORIZATION="Bearer guess-again")
    assert refused.json()["code"] == "too_many_requests"
    valid = guesser.get("/api/appeals", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert valid.status_code == 200, "a valid token is never slowed down"


def test_caller_history_lookups_are_capped_per_call_taker(city):
    calltaker = city.client("calltaker")
    allowed = limit("caller_lookup_per_user")
    for n in range(allowed):
        lookup = calltaker.post("/console/caller/", {"caller_phone": f"1380000{n:04d}"})
        assert lookup.status_code == 200, n
    refused = calltaker.post("/console/caller/", {"caller_phone": "13800138000"})
    assert refused.status_code == 429
    assert "来电人历史查询过于频繁" in refused.content.decode()
    other = city.client("dispatcher").post("/console/caller/", {"caller_phone": "13800138000"})
    assert other.status_code == 200


# ── every test starts with no counted attempts ───────────────────────────────────────────


@pytest.mark.parametrize("run", [1, 2])
def test_counts_do_not_carry_over_between_tests(city_tx, run):
    """Twice, in a transactional test (its flush does not empty the cache table): the second
    run is refused on its last report only if the first run's counts were left behind."""
    flooder = from_address("203.0.113.60")
    statuses = [
        flooder.post("/report/", report_form(n)).status_code for n in range(limit("report_per_ip"))
    ]
    assert statuses == [302] * limit("report_per_ip"), run


def test_behind_a_proxy_each_client_address_has_its_own_budget(city, settings):
    """REMOTE_ADDR is the proxy; the address the proxy passes on is the key. A value that is
    not an address falls back to REMOTE_ADDR instead of failing."""
    settings.CITYLOOP_CLIENT_IP_META = "HTTP_X_REAL_IP"
    allowed = limit("report_per_ip")
    first = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="203.0.113.70")
    for n in range(allowed):
        assert first.post("/report/", report_form(n)).status_code == 302
    assert first.post("/report/", report_form(99)).status_code == 429
    second = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="203.0.113.71")
    assert second.post("/report/", report_form(100)).status_code == 302
    garbled = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="not-an-address")
    assert garbled.post("/report/", report_form(101)).status_code == 302
