"""POST /api/sensors/alarms: a key with sensor:write, JSON in, a clear 4xx for anything wrong
(never a 500), and two alarms at once from one device make one appeal."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from cityloop.access import keys
from cityloop.appeals.models import Appeal
from cityloop.handling.tests.test_concurrency import race
from cityloop.intake.sensors.alarms import Alarm, report_alarm, sensor_actor
from cityloop.intake.sensors.models import SensorCase
from cityloop.intake.sensors.tests.test_alarms import make_facility
from cityloop.org.models import ApiKeyUse, KeyScope
from cityloop.testing import TinyCity, post_json

URL = "/api/sensors/alarms"


def issue(city: TinyCity, *scopes: str) -> str:
    city.admin_client()
    _key, raw = keys.issue_key(
        actor=city.actor("admin"), name="区智慧路灯平台", scopes=scopes, rate_per_minute=1000
    )
    return raw


def post(raw: str | None, payload: Any, language: str = "") -> Any:
    client = Client(headers={"X-Api-Key": raw} if raw else {})
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return post_json(client, URL, payload)


@pytest.mark.django_db
def test_alarms_over_http_open_then_fold_then_clear(city: TinyCity, still_clocks) -> None:
    make_facility(city)
    raw = issue(city, KeyScope.SENSOR_WRITE)
    body = {"device_code": "LD-0001", "alarm_type": "灯具不亮", "reading": 0.5}
    opened = post(raw, body)
    assert opened.status_code == 201, opened.content
    assert opened.json()["result"] == "opened"
    code = opened.json()["tracking_code"]
    folded = post(raw, {**body, "at": "2020-01-01T08:00:00+08:00"})
    assert folded.status_code == 200 and folded.json() == {
        "result": "folded",
        "tracking_code": code,
        "alarm_count": 2,
    }
    cleared = post(raw, {"device_code": "LD-0001", "cleared": True, "reading": "30"})
    assert cleared.status_code == 200 and cleared.json()["result"] == "cleared"
    assert Appeal.objects.get().channel == "sensor"
    # an out-of-order alarm (older than the last) is counted but is not the latest reading
    assert SensorCase.objects.get().last_reading == "30"
    assert list(ApiKeyUse.objects.order_by("pk").values_list("status", flat=True)) == [
        201,
        200,
        200,
    ]


@pytest.mark.django_db
def test_keys_without_the_scope_or_without_a_key_are_refused(city: TinyCity, still_clocks) -> None:
    make_facility(city)
    body = {"device_code": "LD-0001", "alarm_type": "灯具不亮"}
    other = issue(city, KeyScope.OPEN311_WRITE)
    refused = post(other, body)
    assert refused.status_code == 403 and refused.json()["code"] == "api_key_scope"
    missing = post(None, body)
    assert missing.status_code == 403 and missing.json()["code"] == "api_key_required"
    wrong = post("cl_not-a-key", body)
    assert wrong.status_code == 403 and wrong.json()["code"] == "api_key_invalid"
    # the key is checked before the body: no key and a bad body is still a 403
    assert post(None, "not json").status_code == 403
    assert not Appeal.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"device_code": "NOPE", "alarm_type": "灯具不亮"}, 404, "unknown_device"),
        ({"alarm_type": "灯具不亮"}, 422, None),
        ({"device_code": "LD-0001"}, 400, "invalid_alarm_type"),
        ({"device_code": "LD-0001", "alarm_type": "x" * 61}, 422, None),
        ({"device_code": "LD-0001", "alarm_type": "a", "at": "yesterday"}, 422, None),
        (
            {"device_code": "LD-0001", "alarm_type": "a", "at": "2026-01-01T08:00:00"},
            400,
            "invalid_at",
        ),
        (
            {"device_code": "LD-0001", "alarm_type": "a", "at": "2999-01-01T00:00:00Z"},
            400,
            "invalid_at",
        ),
        (
            {"device_code": "LD-0001", "alarm_type": "a", "reading": "9" * 61},
            400,
            "invalid_reading",
        ),
        ({"device_code": "LD-0001", "alarm_type": "a", "reading": [1]}, 422, None),
        ({"device_code": "LD-0001\x00", "alarm_type": "a"}, 422, None),
        ('{"device_code": ', 400, None),
        ([1, 2], 422, None),
    ],
)
def test_bad_alarms_get_a_clear_4xx(city: TinyCity, still_clocks, payload, status, code) -> None:
    make_facility(city)
    answer = post(issue(city, KeyScope.SENSOR_WRITE), payload)
    assert answer.status_code == status, answer.content
    body = answer.json()
    assert body["message"]
    if code:
        assert body["code"] == code
    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_a_refusal_is_in_english_when_asked(city: TinyCity, still_clocks) -> None:
    make_facility(city)
    answer = post(
        issue(city, KeyScope.SENSOR_WRITE),
        {"device_code": "NOPE", "alarm_type": "a"},
        language="en",
    )
    assert answer.status_code == 404 and "NOPE" in answer.json()["message"]
    assert answer.json()["message"] == "No registered device has the code NOPE"


def test_two_alarms_at_once_from_one_device_make_one_appeal(city_tx: TinyCity) -> None:
    """SQLite: every transaction takes the write lock up front (transaction_mode IMMEDIATE),
    so the second alarm waits and sees the first one's case. PostgreSQL: the facility row is
    locked FOR UPDATE, with the same effect; the partial unique index backs both."""
    make_facility(city_tx)
    actor = sensor_actor("区智慧路灯平台")
    for round_ in range(3):
        alarm = Alarm("LD-0001", "灯具不亮", f"{round_}")
        results = race(*[lambda alarm=alarm: report_alarm(alarm, actor=actor)] * 2)
        assert not [r for r in results if isinstance(r, Exception)], results
        assert sorted(r.result for r in results) == ["folded", "opened"]  # type: ignore[union-attr]
        case = SensorCase.objects.get(is_open=True)
        assert case.alarm_count == 2
        assert Appeal.objects.count() == round_ + 1
        SensorCase.objects.filter(pk=case.pk).update(is_open=False)  # the next round: a new case
