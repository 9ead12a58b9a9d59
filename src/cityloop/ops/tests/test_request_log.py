"""One log line per request: route pattern, status, duration, user, request id — and no
personal data (no phone number, no tracking code, no query string, no address)."""

from __future__ import annotations

import json
import logging
import runpy
from pathlib import Path

import pytest
from django.test import Client

import cityloop
from cityloop.ops.log_format import JsonFormatter, RouteNotPath
from cityloop.testing import intake_over_api

PHONE = "13912345678"


def _request_lines(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "cityloop.request"]


def test_a_request_with_a_phone_and_a_tracking_code_logs_neither(city, caplog):
    created = intake_over_api(city, caller_phone=PHONE)
    code = created.json()["tracking_code"]
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="cityloop.request"):
        answer = Client().get(f"/track/{code}/?phone={PHONE}&q={code}", REMOTE_ADDR="198.51.100.7")
    assert answer.status_code == 200
    (record,) = _request_lines(caplog)
    written = JsonFormatter().format(record) + "\n" + logging.Formatter().format(record)
    for secret in (PHONE, code, "198.51.100.7", "phone="):
        assert secret not in written
    line = json.loads(JsonFormatter().format(record))
    assert line["route"] == "track/<str:code>/"
    assert line["method"] == "GET"
    assert line["status"] == 200
    assert line["user"] == "anonymous"
    assert line["duration_ms"] >= 0


def test_the_line_names_the_user_who_made_the_request(city, caplog):
    with caplog.at_level(logging.INFO, logger="cityloop.request"):
        created = intake_over_api(city)
    assert created.status_code == 201
    line = json.loads(JsonFormatter().format(_request_lines(caplog)[-1]))
    assert line["user"] == str(city.users["calltaker"].pk)
    assert line["route"] == "api/appeals"
    assert line["status"] == 201


def test_an_unknown_path_is_logged_under_one_route(db, caplog):
    with caplog.at_level(logging.INFO, logger="cityloop.request"):
        Client().get("/no/such/page/TRACK-CODE-LIKE")
    line = json.loads(JsonFormatter().format(_request_lines(caplog)[-1]))
    assert line["route"] == "<unmatched>"
    assert line["status"] == 404
    assert "TRACK" not in json.dumps(line)


def test_the_request_id_is_kept_from_the_proxy_or_made_and_echoed(db, caplog):
    with caplog.at_level(logging.INFO, logger="cityloop.request"):
        given = Client().get("/healthz", HTTP_X_REQUEST_ID="edge-4f2a.9")
        made = Client().get("/healthz")
        forged = Client().get("/healthz", HTTP_X_REQUEST_ID="a\nfake log line")
    assert given["X-Request-ID"] == "edge-4f2a.9"
    assert len(made["X-Request-ID"]) == 32
    assert forged["X-Request-ID"] not in ("a\nfake log line", made["X-Request-ID"])
    logged = [json.loads(JsonFormatter().format(r))["request_id"] for r in _request_lines(caplog)]
    assert logged == [given["X-Request-ID"], made["X-Request-ID"], forged["X-Request-ID"]]


def test_app_log_lines_written_during_a_request_carry_its_request_id(db, monkeypatch, caplog):
    from cityloop.ops import health

    def refuse() -> None:
        raise RuntimeError("down")

    monkeypatch.setitem(health.CHECKS, "database", refuse)
    with caplog.at_level(logging.INFO):
        answer = Client().get("/readyz", HTTP_X_REQUEST_ID="probe-1")
    warning = next(r for r in caplog.records if r.name == "cityloop.ops.health")
    line = json.loads(JsonFormatter().format(warning))
    assert answer.status_code == 503
    assert line["request_id"] == "probe-1"
    assert line["level"] == "WARNING"
    assert "readiness check database failed" in line["message"]


def test_an_exception_is_one_json_line():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("cityloop.x", logging.ERROR, __file__, 1, "failed", (), None)
        import sys

        record.exc_info = sys.exc_info()
    written = JsonFormatter().format(record)
    assert "\n" not in written
    assert "ValueError: boom" in json.loads(written)["exception"]


def test_djangos_own_lines_about_refused_requests_name_the_route_not_the_path(city, caplog):
    created = intake_over_api(city, caller_phone=PHONE)
    code = created.json()["tracking_code"]
    outsider = city.client("handler1")  # a unit the appeal was not sent to
    caplog.clear()
    with caplog.at_level(logging.INFO):
        answer = outsider.get(f"/appeals/{code}/")
    assert answer.status_code in (403, 404)
    django_lines = [r for r in caplog.records if r.name == "django.request"]
    assert django_lines, "Django logs the refusal"
    (handler,) = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    assert any(isinstance(f, RouteNotPath) for f in handler.filters)
    for record in django_lines:
        handler.filter(record)
        assert code not in record.getMessage()
        assert "appeals/<str:code>/" in record.getMessage()


@pytest.mark.parametrize(
    ("log_format", "request_log", "logged"),
    [
        ("json", None, True),  # a server's journal
        ("plain", None, False),  # a newcomer's terminal
        ("plain", "on", True),
        ("json", "off", False),
    ],
)
def test_the_request_line_is_on_with_json_logs_unless_told(
    monkeypatch, tmp_path, log_format, request_log, logged
):
    monkeypatch.setenv("CITYLOOP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CITYLOOP_LOG_FORMAT", log_format)
    if request_log is None:
        monkeypatch.delenv("CITYLOOP_REQUEST_LOG", raising=False)
    else:
        monkeypatch.setenv("CITYLOOP_REQUEST_LOG", request_log)
    configured = runpy.run_path(str(Path(cityloop.__file__).parent / "settings.py"))
    level = configured["LOGGING"]["loggers"]["cityloop.request"]["level"]
    assert (level == "INFO") == logged
    assert configured["LOGGING"]["handlers"]["console"]["formatter"] == log_format


def test_an_unknown_log_format_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("CITYLOOP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CITYLOOP_LOG_FORMAT", "xml")
    with pytest.raises(ValueError, match="CITYLOOP_LOG_FORMAT must be json or plain"):
        runpy.run_path(str(Path(cityloop.__file__).parent / "settings.py"))
