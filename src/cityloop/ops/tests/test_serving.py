"""`cityloop serve`'s gunicorn settings, from options, environment and cores — computed
without starting a server."""

from __future__ import annotations

import pytest

from cityloop.cli import build_parser, cmd_serve
from cityloop.ops.serving import (
    MAX_DEFAULT_WORKERS,
    ServeOptions,
    ServeSettingsError,
    bind_address,
    gunicorn_settings,
    log_format_for_server,
)


def test_defaults_are_sized_from_the_cores():
    assert gunicorn_settings(ServeOptions(), {}, cores=1)["workers"] == 3
    assert gunicorn_settings(ServeOptions(), {}, cores=2)["workers"] == 5
    assert gunicorn_settings(ServeOptions(), {}, cores=64)["workers"] == MAX_DEFAULT_WORKERS
    settings = gunicorn_settings(ServeOptions(), {}, cores=2)
    assert settings["threads"] == 4
    assert settings["worker_class"] == "gthread"
    assert settings["accesslog"] is None, "our own request line instead"
    assert settings["max_requests"] > 0 and settings["max_requests_jitter"] > 0
    assert settings["graceful_timeout"] > 0


def test_the_environment_overrides_the_defaults_and_options_override_both():
    environ = {
        "CITYLOOP_WEB_WORKERS": "7",
        "CITYLOOP_WEB_THREADS": "8",
        "CITYLOOP_WEB_MAX_REQUESTS": "0",
        "CITYLOOP_WEB_GRACEFUL_TIMEOUT": "45",
    }
    from_env = gunicorn_settings(ServeOptions(), environ, cores=2)
    assert (from_env["workers"], from_env["threads"]) == (7, 8)
    assert from_env["max_requests"] == 0
    assert from_env["graceful_timeout"] == 45
    given = gunicorn_settings(ServeOptions(workers=3, threads=2), environ, cores=2)
    assert (given["workers"], given["threads"]) == (3, 2)


@pytest.mark.parametrize(
    ("options", "environ", "message"),
    [
        (ServeOptions(workers=0), {}, "--workers must be at least 1, got 0"),
        (ServeOptions(), {"CITYLOOP_WEB_WORKERS": "0"}, "CITYLOOP_WEB_WORKERS must be at least 1"),
        (ServeOptions(), {"CITYLOOP_WEB_THREADS": "four"}, "CITYLOOP_WEB_THREADS must be a whole"),
        (ServeOptions(max_requests=-1), {}, "--max-requests must be at least 0"),
    ],
)
def test_bad_values_are_refused_in_one_line(options, environ, message):
    with pytest.raises(ServeSettingsError, match=message):
        gunicorn_settings(options, environ, cores=2)


def test_only_the_default_port_moves_to_a_free_one():
    assert bind_address(ServeOptions(), {}) == ("127.0.0.1", 8000, False)
    assert bind_address(ServeOptions(port=9000), {}) == ("127.0.0.1", 9000, True)
    environ = {"CITYLOOP_WEB_HOST": "0.0.0.0", "CITYLOOP_WEB_PORT": "8081"}
    assert bind_address(ServeOptions(), environ) == ("0.0.0.0", 8081, True)
    assert bind_address(ServeOptions(host="::1"), environ)[0] == "::1"
    with pytest.raises(ServeSettingsError, match="at most 65535"):
        bind_address(ServeOptions(port=70000), {})


def test_logs_are_json_for_a_journal_and_plain_on_a_terminal():
    assert log_format_for_server({}, stderr_is_terminal=False) == "json"
    assert log_format_for_server({}, stderr_is_terminal=True) == "plain"
    assert log_format_for_server({"CITYLOOP_LOG_FORMAT": "plain"}, False) == "plain"
    with pytest.raises(ServeSettingsError, match="CITYLOOP_LOG_FORMAT must be json or plain"):
        log_format_for_server({"CITYLOOP_LOG_FORMAT": "xml"}, False)


def test_the_command_line_reaches_the_settings_and_a_bad_value_exits_2(capsys, monkeypatch):
    args = build_parser().parse_args(
        ["serve", "--workers", "3", "--threads", "6", "--max-requests", "500", "--access-log"]
    )
    from cityloop.cli import serve_options

    settings = gunicorn_settings(serve_options(args), {}, cores=8)
    assert (settings["workers"], settings["threads"], settings["max_requests"]) == (3, 6, 500)
    assert settings["accesslog"] == "-"

    monkeypatch.setenv("CITYLOOP_WEB_WORKERS", "many")
    with pytest.raises(SystemExit) as stopped:
        cmd_serve(build_parser().parse_args(["serve"]))
    assert stopped.value.code == 2
    assert capsys.readouterr().err == (
        "cityloop serve: CITYLOOP_WEB_WORKERS must be a whole number, got 'many'\n"
    )
