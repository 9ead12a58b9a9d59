"""Deliveries: written in the event's transaction, sent by the worker after the commit to a
real receiver on loopback, signed, retried with back-off, given up after the last try, and
never sent again once it succeeded."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django_q.models import OrmQ

from cityloop.integrations.webhooks import jobs, signing
from cityloop.integrations.webhooks.models import Delivery
from cityloop.integrations.webhooks.sending import send_pending
from cityloop.integrations.webhooks.tests.helpers import key_for, start_receiver, subscribe
from cityloop.kernel import clock

SECRET = "a-shared-secret-of-the-district"


@pytest.fixture
def receiver(settings):
    settings.CITYLOOP_WEBHOOKS_ALLOW_PRIVATE = True
    receiver, server = start_receiver()
    yield receiver
    server.shutdown()


def test_a_dispatch_reaches_the_receiver_signed_with_public_fields_only(
    city, receiver, django_capture_on_commit_callbacks
):
    raw = key_for(city)
    made = subscribe(raw, receiver.url, kinds=["dispatch"], secret=SECRET)
    assert made.status_code == 201, made.content
    with django_capture_on_commit_callbacks(execute=True):
        appeal = city.receive(content="路灯坏了，联系电话13912345678，住3号楼2单元301室")
    queued = [task.func() for task in OrmQ.objects.all()]
    assert queued.count("cityloop.integrations.webhooks.jobs.send") == 1, "asked once, after commit"
    assert not receiver.requests, "nothing is sent inside the transaction"
    assert jobs.send()["sent"] == 1  # what the worker runs
    assert receiver.got.wait(5)
    (request,) = receiver.requests
    headers = request.headers
    timestamp = headers[signing.TIMESTAMP_HEADER]
    expected = hmac.new(
        SECRET.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    assert headers[signing.SIGNATURE_HEADER] == f"sha256={expected}"
    assert abs(int(timestamp) - time.time()) < 60
    assert signing.verify(SECRET, request.body, timestamp, headers[signing.SIGNATURE_HEADER])
    assert not signing.verify(SECRET, request.body + b" ", timestamp, expected)
    old = str(int(timestamp) - 3600)
    assert not signing.verify(SECRET, request.body, old, signing.signature(SECRET, int(old), b""))
    body = json.loads(request.body)
    delivery = Delivery.objects.get()
    assert headers["Idempotency-Key"] == delivery.key == body["id"]
    assert headers[signing.EVENT_HEADER] == body["kind"] == "dispatch"
    assert request.path == "/hooks/cityloop"
    assert body["appeal"]["tracking_code"] == appeal.tracking_code
    assert body["appeal"]["main_unit"] == city.street_offices[0].name
    text = request.body.decode()
    for personal in ("13912345678", "13800138000", "3号楼2单元301"):
        assert personal not in text
    assert "路灯坏了" in body["appeal"]["content"]
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("sent", 1, 200)


def test_a_receiver_that_fails_then_succeeds_gets_it_once(city, receiver, settings):
    settings.CITYLOOP_WEBHOOKS_RETRY_SECONDS = 30
    subscribe(key_for(city), receiver.url, kinds=["receive"], secret=SECRET)
    receiver.answers = [503]
    start = clock.now()
    with clock.frozen_at(start):
        city.receive(auto_dispatch=False)
        assert send_pending() == {"sent": 0, "failed": 0, "retrying": 1, "cancelled": 0}
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.error, delivery.response_status) == (
        "queued",
        "HTTP 503",
        503,
    )
    assert delivery.next_attempt_at == start + timedelta(seconds=30)
    with clock.frozen_at(start + timedelta(seconds=29)):
        assert send_pending()["retrying"] == 0, "not before its time"
    with clock.frozen_at(start + timedelta(seconds=30)):
        assert send_pending()["sent"] == 1
    with clock.frozen_at(start + timedelta(days=3)):
        assert send_pending() == {"sent": 0, "failed": 0, "retrying": 0, "cancelled": 0}
    assert [r.answered for r in receiver.requests] == [503, 200], "accepted once, never again"
    assert len({r.headers["Idempotency-Key"] for r in receiver.requests}) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.error) == ("sent", 2, "")


def test_a_receiver_that_keeps_failing_is_given_up_after_the_last_try(city, receiver, settings):
    settings.CITYLOOP_WEBHOOKS_MAX_ATTEMPTS = 3
    settings.CITYLOOP_WEBHOOKS_RETRY_SECONDS = 10
    subscribe(key_for(city), receiver.url, kinds=["receive"], secret=SECRET)
    receiver.answers = [500] * 10
    start = clock.now()
    with clock.frozen_at(start):
        city.receive(auto_dispatch=False)
        send_pending()
    with clock.frozen_at(start + timedelta(seconds=10)):
        send_pending()
    delivery = Delivery.objects.get()
    assert delivery.next_attempt_at == start + timedelta(seconds=10 + 20), "twice the wait"
    with clock.frozen_at(start + timedelta(seconds=30)):
        assert send_pending()["failed"] == 1
    with clock.frozen_at(start + timedelta(days=3)):
        assert send_pending()["failed"] == 0
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.sent_at) == ("failed", 3, None)
    assert len(receiver.requests) == 3


def test_an_event_rolled_back_leaves_no_delivery(city, receiver):
    subscribe(key_for(city), receiver.url, secret=SECRET)
    with pytest.raises(RuntimeError), transaction.atomic():
        city.receive()
        assert Delivery.objects.count() == 2, "receive and dispatch, in the event's transaction"
        raise RuntimeError("the service failed after recording")
    assert not Delivery.objects.exists()


def test_a_key_is_told_only_of_its_units_appeals_and_the_kinds_it_chose(city, receiver):
    raw = key_for(city, units=[city.street_offices[0]])
    subscribe(raw, receiver.url, kinds=["dispatch"], secret=SECRET)
    theirs = city.receive(street=1)
    ours = city.receive(street=0)
    rows = list(Delivery.objects.values_list("appeal__tracking_code", "kind"))
    assert rows == [(ours.tracking_code, "dispatch")]
    assert theirs.tracking_code not in {code for code, _kind in rows}


def test_a_deleted_subscription_or_a_revoked_key_sends_nothing_more(city, receiver):
    from cityloop.access import keys
    from cityloop.org.models import ApiKey

    raw = key_for(city)
    subscribe(raw, receiver.url, kinds=["receive"], secret=SECRET)
    city.receive(auto_dispatch=False)
    keys.revoke_key(ApiKey.objects.get().pk, actor=city.actor("admin"))
    assert send_pending()["cancelled"] == 1
    city.receive(auto_dispatch=False)
    assert Delivery.objects.count() == 1, "a revoked key gets no new deliveries"
    assert not receiver.requests


def test_an_address_refused_at_send_time_is_not_called(city, receiver, settings):
    subscribe(key_for(city), receiver.url, kinds=["receive"], secret=SECRET)
    settings.CITYLOOP_WEBHOOKS_ALLOW_PRIVATE = False
    city.receive(auto_dispatch=False)
    assert send_pending()["retrying"] == 1
    assert "内网" in Delivery.objects.get().error
    assert not receiver.requests
