"""The gunicorn settings of `cityloop serve`, from its options, the environment and the
machine — computed here, apart from starting the server, so they can be tested."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Four threads per worker: a request spends most of its time waiting on the database, and
# a waiting thread lets the GIL go, so threads cover the waiting and processes the
# computing (the classifier, PDF exports).
DEFAULT_THREADS = 4
# gunicorn's rule of thumb, 2 × cores + 1 processes, stopped at 12: every worker holds
# its own copy of the application (~190 MB resident when idle, more once the classifier is
# loaded), and past that the database, not the web tier, is what limits us.
MAX_DEFAULT_WORKERS = 12
# A worker is replaced after about this many requests (± the jitter, so they do not all
# restart at once): whatever a worker's memory grew by is given back.
DEFAULT_MAX_REQUESTS = 2000
DEFAULT_MAX_REQUESTS_JITTER = 200
# Seconds a stopped worker has to finish the requests in hand (systemd's TimeoutStopSec
# in deploy/ is longer), and seconds a request may take before its worker is restarted
# (exports of a year's assessment stay below it).
DEFAULT_GRACEFUL_TIMEOUT = 30
DEFAULT_TIMEOUT = 60


# prometheus_client's multiprocess mode is on when this names a directory as it is imported.
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"


LOG_FORMATS = ("json", "plain")


class ServeSettingsError(ValueError):
    """A bad option or CITYLOOP_WEB_* value: one line for the operator, exit status 2."""


@dataclass(frozen=True)
class ServeOptions:
    """What the command line gave; None where the option was not given."""

    host: str | None = None
    port: int | None = None
    workers: int | None = None
    threads: int | None = None
    max_requests: int | None = None
    max_requests_jitter: int | None = None
    graceful_timeout: int | None = None
    timeout: int | None = None
    access_log: bool = False


def available_cores() -> int:
    """The cores this process may run on (a container or `taskset` may allow fewer than
    the machine has)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def default_workers(cores: int) -> int:
    return min(2 * cores + 1, MAX_DEFAULT_WORKERS)


def _number(
    option: int | None, environ: Mapping[str, str], name: str, default: int, *, least: int
) -> int:
    value: int | None = option
    if value is None and environ.get(name, "").strip():
        try:
            value = int(environ[name])
        except ValueError:
            raise ServeSettingsError(
                f"{name} must be a whole number, got {environ[name]!r}"
            ) from None
    if value is None:
        value = default
    if value < least:
        # named as the operator gave it: the option (--max-requests) or the variable
        given = "--" + name.removeprefix("CITYLOOP_WEB_").lower().replace("_", "-")
        raise ServeSettingsError(
            f"{given if option is not None else name} must be at least {least}, got {value}"
        )
    return value


def bind_address(options: ServeOptions, environ: Mapping[str, str]) -> tuple[str, int, bool]:
    """Host, port, and whether the port was chosen (option or CITYLOOP_WEB_PORT): a chosen
    port is taken or the server fails; only the default 8000 moves to a free neighbour."""
    host = options.host or environ.get("CITYLOOP_WEB_HOST", "").strip() or "127.0.0.1"
    chosen = options.port is not None or bool(environ.get("CITYLOOP_WEB_PORT", "").strip())
    port = _number(options.port, environ, "CITYLOOP_WEB_PORT", 8000, least=1)
    if port > 65535:
        raise ServeSettingsError(f"the port must be at most 65535, got {port}")
    return host, port, chosen


def gunicorn_settings(
    options: ServeOptions, environ: Mapping[str, str], cores: int
) -> dict[str, Any]:
    """gunicorn's settings (its own names) for this command line, environment and machine;
    the bind address is added by the caller once the port is known to be free."""
    return {
        "workers": _number(
            options.workers, environ, "CITYLOOP_WEB_WORKERS", default_workers(cores), least=1
        ),
        "threads": _number(
            options.threads, environ, "CITYLOOP_WEB_THREADS", DEFAULT_THREADS, least=1
        ),
        "worker_class": "gthread",
        "max_requests": _number(
            options.max_requests,
            environ,
            "CITYLOOP_WEB_MAX_REQUESTS",
            DEFAULT_MAX_REQUESTS,
            least=0,
        ),
        "max_requests_jitter": _number(
            options.max_requests_jitter,
            environ,
            "CITYLOOP_WEB_MAX_REQUESTS_JITTER",
            DEFAULT_MAX_REQUESTS_JITTER,
            least=0,
        ),
        "graceful_timeout": _number(
            options.graceful_timeout,
            environ,
            "CITYLOOP_WEB_GRACEFUL_TIMEOUT",
            DEFAULT_GRACEFUL_TIMEOUT,
            least=1,
        ),
        "timeout": _number(
            options.timeout, environ, "CITYLOOP_WEB_TIMEOUT", DEFAULT_TIMEOUT, least=1
        ),
        # gunicorn's access log would write the raw path (tracking codes) and the client's
        # address; our own request line (ops.middleware) replaces it.
        "accesslog": "-" if options.access_log else None,
        # gunicorn's control socket sits at one path per user ($HOME/.gunicorn), shared by
        # every server the user runs, and takes seconds to close at shutdown; cityloop does
        # not use it.
        "control_socket_disable": True,
    }


def log_format_for_server(environ: Mapping[str, str], stderr_is_terminal: bool) -> str:
    """CITYLOOP_LOG_FORMAT when set, else JSON for a server whose output goes to a journal or
    a file, plain for someone watching a terminal."""
    chosen = environ.get("CITYLOOP_LOG_FORMAT", "").strip()
    if chosen and chosen not in LOG_FORMATS:
        raise ServeSettingsError(f"CITYLOOP_LOG_FORMAT must be json or plain, got {chosen!r}")
    if chosen:
        return chosen
    return "plain" if stderr_is_terminal else "json"


def prepare_multiprocess_dir(directory: Path) -> None:
    """An empty directory for this server's metrics samples: files left by an earlier server
    would be added to this one's counts."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
