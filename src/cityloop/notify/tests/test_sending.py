"""Sending: after the commit the worker is asked to send; a message the backend cannot send
is tried again after a growing wait and recorded as failed after the last try; the example
SMS gateway is called over HTTP with the message's key (a local fake gateway here)."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django_q.models import OrmQ

from cityloop.kernel import clock
from cityloop.notify.models import Outbox
from cityloop.notify.sending import claim, send_pending
from cityloop.testing import intake_over_api

GATEWAY = "cityloop.notify.backends.HttpSmsGateway"


class FakeGateway(BaseHTTPRequestHandler):
    """Answers 503 to the first `failures` requests, then {"id": …}; keeps what it got."""

    failures = 0
    received: list[dict[str, object]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append(
            {
                **body,
                "key": self.headers["Idempotency-Key"],
                "auth": self.headers["Authorization"],
            }
        )
        if type(self).failures > 0:
            type(self).failures -= 1
            self.send_response(503)
            self.end_headers()
            return
        answer = json.dumps({"id": f"gw-{len(self.received)}"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def gateway(settings, tmp_path):
    FakeGateway.failures, FakeGateway.received = 0, []
    server = HTTPServer(("127.0.0.1", 0), FakeGateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.DATA_DIR = tmp_path
    settings.CITYLOOP_NOTIFY_SMS_BACKEND = GATEWAY
    settings.CITYLOOP_SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/sms"
    settings.CITYLOOP_SMS_GATEWAY_TOKEN = "secret-token"
    yield FakeGateway
    server.shutdown()


def test_the_commit_asks_the_worker_to_send_once(city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = intake_over_api(city, auto_dispatch=True)  # two events, four messages
    assert created.status_code == 201
    assert len(callbacks) == 1
    assert [task.func() for task in OrmQ.objects.all()] == ["cityloop.notify.jobs.drain"]


def test_the_gateway_gets_each_message_with_its_key(city, gateway):
    code = city.receive(auto_dispatch=False).tracking_code
    assert send_pending()["sent"] == 1
    (request,) = gateway.received
    assert request["to"] == "13800138000" and code in str(request["text"])
    assert request["key"] == f"{code}-1-sms" and request["auth"] == "Bearer secret-token"
    assert Outbox.objects.get().provider_id == "gw-1"


def test_a_failing_backend_is_tried_again_later_and_then_given_up(city, gateway, settings):
    settings.CITYLOOP_NOTIFY_MAX_ATTEMPTS = 3
    settings.CITYLOOP_NOTIFY_RETRY_SECONDS = 60
    gateway.failures = 10
    start = clock.now()
    with clock.frozen_at(start):
        city.receive(auto_dispatch=False)
        assert send_pending() == {"sent": 0, "failed": 0, "retrying": 1, "skipped": 0}
    message = Outbox.objects.get()
    assert (message.status, message.attempts) == ("queued", 1)
    assert message.next_attempt_at == start + timedelta(seconds=60)
    assert "HTTP 503" in message.error
    with clock.frozen_at(start + timedelta(seconds=59)):
        assert send_pending()["retrying"] == 0, "not before its time"
    with clock.frozen_at(start + timedelta(seconds=60)):
        assert send_pending()["retrying"] == 1
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.next_attempt_at == start + timedelta(seconds=60 + 120), "twice the wait"
    with clock.frozen_at(start + timedelta(seconds=180)):
        assert send_pending()["failed"] == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.sent_at) == ("failed", 3, None)
    assert len(gateway.received) == 3
    with clock.frozen_at(start + timedelta(days=2)):
        assert send_pending() == {"sent": 0, "failed": 0, "retrying": 0, "skipped": 0}


def test_a_gateway_back_after_an_outage_sends_the_message(city, gateway):
    gateway.failures = 1
    city.receive(auto_dispatch=False)
    send_pending()
    later = clock.now() + timedelta(minutes=5)
    with clock.frozen_at(later):
        assert send_pending()["sent"] == 1
    message = Outbox.objects.get()
    assert (message.status, message.attempts, message.error) == ("sent", 2, "")
    keys = {request["key"] for request in gateway.received}
    assert len(keys) == 1, "the retry carries the same key, so a gateway can drop a repeat"


def test_a_broken_backend_setting_is_recorded_as_the_message_failure(city, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.CITYLOOP_NOTIFY_SMS_BACKEND = GATEWAY
    settings.CITYLOOP_SMS_GATEWAY_URL = ""
    settings.CITYLOOP_NOTIFY_MAX_ATTEMPTS = 1
    city.receive(auto_dispatch=False)
    assert send_pending()["failed"] == 1
    message = Outbox.objects.get()
    assert message.status == "failed" and "CITYLOOP_SMS_GATEWAY_URL" in message.error


def test_a_claimed_message_is_not_handed_to_a_second_worker_until_its_claim_runs_out(
    city, settings
):
    city.receive(auto_dispatch=False)
    first = claim()
    assert len(first) == 1
    assert claim() == [], "held by the first worker"
    settings_claim = timedelta(seconds=settings.CITYLOOP_NOTIFY_CLAIM_SECONDS + 1)
    with clock.frozen_at(clock.now() + settings_claim):
        again = claim()
    assert [m.pk for m in again] == [first[0].pk]
    assert again[0].attempts == 2
