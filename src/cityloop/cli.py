"""The `cityloop` command line."""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cityloop.ops.serving import ServeOptions


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityloop.settings")
    import django

    django.setup()


def _prepare_database(verbosity: int = 0) -> None:
    from django.conf import settings
    from django.core.management import call_command

    database = settings.DATABASES["default"]
    if str(database["ENGINE"]).endswith("sqlite3"):
        os.makedirs(os.path.dirname(str(database["NAME"])), exist_ok=True)
    call_command("migrate", interactive=False, verbosity=verbosity)
    from cityloop.bootstrap import seed_reference

    seed_reference()


def _free_port(host: str, wanted: int) -> int:
    for port in [wanted, *range(wanted + 1, wanted + 50)]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            if probe.connect_ex((host, port)) != 0:
                return port
    raise SystemExit(f"no free port near {wanted}")


def cmd_serve(args: argparse.Namespace) -> None:
    from cityloop.ops.serving import (
        ServeSettingsError,
        available_cores,
        bind_address,
        gunicorn_settings,
        log_format_for_server,
    )

    options = serve_options(args)
    try:
        host, wanted_port, port_chosen = bind_address(options, os.environ)
        server_settings = gunicorn_settings(options, os.environ, available_cores())
        log_format = log_format_for_server(os.environ, sys.stderr.isatty())
    except ServeSettingsError as refused:
        print(f"cityloop serve: {refused}", file=sys.stderr)
        raise SystemExit(2) from None
    _prepare_server_environment(log_format)
    print("cityloop: preparing the database…", flush=True)
    _prepare_database()
    _finish_or_build_demo(args)
    worker = None
    if not args.no_worker:
        from cityloop.ops.serving import MULTIPROCESS_ENV

        worker = subprocess.Popen(
            [sys.executable, "-m", "cityloop", "worker", "--stop-with-parent"],
            # the web server's metrics directory is not the worker's
            env={name: value for name, value in os.environ.items() if name != MULTIPROCESS_ENV},
        )
    port = wanted_port if port_chosen else _free_port(host, wanted_port)
    url = f"http://{host}:{port}/"
    print(f"\ncityloop is running at {url}", flush=True)
    if not args.no_demo:
        print(
            "demo accounts (password: cityloop): admin, calltaker, dispatcher, supervisor, "
            "handler (a street office), analyst, gridworker (网格员, on a phone: /patrol/)",
            flush=True,
        )
    try:
        _run_gunicorn(host, port, server_settings)
    finally:
        if worker is not None:
            _stop_worker(worker)


def serve_options(args: argparse.Namespace) -> ServeOptions:
    from cityloop.ops.serving import ServeOptions

    return ServeOptions(
        host=args.host,
        port=args.port,
        workers=args.workers,
        threads=args.threads,
        max_requests=args.max_requests,
        max_requests_jitter=args.max_requests_jitter,
        graceful_timeout=args.graceful_timeout,
        timeout=args.timeout,
        access_log=args.access_log,
    )


def _prepare_server_environment(log_format: str) -> None:
    """The log format before Django reads its settings, and the directory where every
    gunicorn worker writes its metrics samples (ops/metrics.py) before anything imports
    prometheus_client — django-q2 does as Django starts, so the data dir is read from the
    settings module itself."""
    from cityloop.ops.serving import MULTIPROCESS_ENV, prepare_multiprocess_dir

    os.environ["CITYLOOP_LOG_FORMAT"] = log_format
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityloop.settings")
    configured = importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
    os.environ.setdefault(MULTIPROCESS_ENV, str(Path(configured.DATA_DIR) / "metrics"))
    prepare_multiprocess_dir(Path(os.environ[MULTIPROCESS_ENV]))
    _django()


def _stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """Stop the worker with the server and wait for it: a server that is stopped leaves no
    worker behind."""
    from cityloop.worker import STOP_GRACE_SECONDS

    worker.terminate()
    try:
        worker.wait(STOP_GRACE_SECONDS + 10)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def _finish_or_build_demo(args: argparse.Namespace) -> None:
    """Before serving: an interrupted demo build is run again to the end (even with
    --no-demo: that database was meant to hold the demo city); an empty database gets the
    demo city unless --no-demo."""
    from cityloop.demo.build import (
        ForeignData,
        build_demo_city,
        finish_unfinished_build,
        unfinished_build,
    )
    from cityloop.demo.generator import city_exists

    if unfinished_build() is not None:
        print("cityloop: the last demo build did not finish; building it again…", flush=True)
        finish_unfinished_build(progress=_progress)
    elif not args.no_demo and not city_exists():
        print(f"cityloop: building the demo city (seed {args.seed})…", flush=True)
        try:
            build_demo_city(seed=args.seed, appeals=args.demo_appeals, progress=_progress)
        except ForeignData as refused:
            print(f"cityloop: no demo city: {refused}", flush=True)


def _run_gunicorn(host: str, port: int, server_settings: dict[str, Any]) -> None:
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    from cityloop.intake.understanding import warm_up
    from cityloop.ops.metrics import worker_exited
    from cityloop.wsgi import application

    warm_up()
    connections.close_all()  # the workers open their own
    # what is loaded now is shared with the forked workers; keep the collector from
    # touching (and so copying) those pages in each of them
    gc.freeze()

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            for name, value in server_settings.items():
                self.cfg.set(name, value)
            self.cfg.set("child_exit", worker_exited)

        def load(self) -> Any:
            return application

    Server().run()


def _progress(done: int, total: int, what: str) -> None:
    width = 30
    filled = int(width * done / max(total, 1))
    print(
        f"\r  {what:<12} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}",
        end="",
        flush=True,
    )
    if done >= total:
        print(flush=True)


def cmd_demo(args: argparse.Namespace) -> None:
    _django()
    _prepare_database()
    from cityloop.demo.build import ForeignData, build_demo_city

    try:
        summary = build_demo_city(
            seed=args.seed,
            appeals=args.appeals,
            streets_per_district=args.streets_per_district,
            days=args.days,
            end=args.end,
            progress=_progress,
        )
    except ForeignData as refused:
        raise SystemExit(f"cityloop demo: {refused}") from None
    for key, value in summary.items():
        print(f"{key}: {value}")


def cmd_worker(args: argparse.Namespace) -> None:
    _django()
    from cityloop.worker import run_worker

    raise SystemExit(run_worker(stop_with_parent=args.stop_with_parent))


def cmd_notify_send_pending(args: argparse.Namespace) -> None:
    """Send the messages due now, without the worker (ops: after an outage, or to check a
    backend's settings); prints what became of them."""
    _django()
    from cityloop.notify.sending import send_pending

    for outcome, count in send_pending(limit=args.limit).items():
        print(f"{outcome}: {count}")


def cmd_seed(args: argparse.Namespace) -> None:
    _django()
    _prepare_database(verbosity=1)
    print("reference data loaded")


def cmd_token(args: argparse.Namespace) -> None:
    _django()
    from django.contrib.auth import get_user_model

    from cityloop.org.models import ApiToken

    user = get_user_model().objects.get(username=args.username)
    print(ApiToken.issue(user, args.name))


def _django_and_database() -> None:
    _django()
    _prepare_database()


def cmd_manage(args: argparse.Namespace) -> None:
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["cityloop manage", *args.rest])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cityloop", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="migrate, seed a demo city if empty, run the server")
    # Unset options fall back to CITYLOOP_WEB_* and then to defaults sized from the machine
    # (ops/serving.py).
    serve.add_argument("--host", default=None, help="default CITYLOOP_WEB_HOST or 127.0.0.1")
    serve.add_argument(
        "--port",
        type=int,
        default=None,
        help="default CITYLOOP_WEB_PORT, or 8000 or the next free one",
    )
    serve.add_argument("--workers", type=int, default=None, help="default 2×cores+1, max 12")
    serve.add_argument("--threads", type=int, default=None, help="per worker, default 4")
    serve.add_argument("--max-requests", type=int, default=None, help="default 2000; 0: never")
    serve.add_argument("--max-requests-jitter", type=int, default=None, help="default 200")
    serve.add_argument("--graceful-timeout", type=int, default=None, help="seconds, default 30")
    serve.add_argument("--timeout", type=int, default=None, help="seconds, default 60")
    serve.add_argument(
        "--access-log", action="store_true", help="gunicorn's access log too (raw paths)"
    )
    serve.add_argument("--seed", type=int, default=12345)
    serve.add_argument("--demo-appeals", type=int, default=3000)
    serve.add_argument("--no-demo", action="store_true")
    serve.add_argument("--no-worker", action="store_true")
    serve.set_defaults(func=cmd_serve)

    demo = sub.add_parser(
        "demo", help="(re)generate the synthetic demo city, replacing an earlier demo build"
    )
    demo.add_argument("--seed", type=int, default=12345)
    demo.add_argument("--appeals", type=int, default=3000)
    demo.add_argument("--days", type=int, default=120)
    demo.add_argument("--streets-per-district", type=int, default=None)
    demo.add_argument(
        "--end",
        type=date.fromisoformat,
        default=None,
        help="last day of the history, YYYY-MM-DD (default: today)",
    )
    demo.set_defaults(func=cmd_demo)

    worker = sub.add_parser("worker", help="run background jobs (deadline scan, messages, …)")
    # `serve` starts its worker with this, so the worker never outlives the server.
    worker.add_argument("--stop-with-parent", action="store_true", help=argparse.SUPPRESS)
    worker.set_defaults(func=cmd_worker)

    notify = sub.add_parser("notify", help="messages to citizens (SMS, e-mail)")
    notify_sub = notify.add_subparsers(dest="notify_command", required=True)
    send_pending = notify_sub.add_parser("send-pending", help="send the messages due now")
    send_pending.add_argument("--limit", type=int, default=1000)
    send_pending.set_defaults(func=cmd_notify_send_pending)

    seed = sub.add_parser("seed", help="migrate and load reference data")
    seed.set_defaults(func=cmd_seed)

    token = sub.add_parser("token", help="issue an API token for a staff user")
    token.add_argument("username")
    token.add_argument("--name", default="api client")
    token.set_defaults(func=cmd_token)

    from cityloop.cli_classify import add_commands

    add_commands(sub, _django_and_database)

    from cityloop import cli_warning

    cli_warning.add_commands(sub, _django_and_database)

    from cityloop import cli_analytics

    cli_analytics.add_commands(sub)

    from cityloop import cli_proactive

    cli_proactive.add_commands(sub, _django_and_database)

    from cityloop import cli_sensors

    cli_sensors.add_commands(sub, _django_and_database)

    from cityloop import cli_import

    cli_import.add_commands(sub, _django_and_database)

    from cityloop import cli_backup

    cli_backup.add_commands(sub)

    from cityloop import cli_partitions

    cli_partitions.add_commands(sub, _django)

    from cityloop import cli_check

    cli_check.add_commands(sub, _django)

    manage = sub.add_parser("manage", help="run a Django management command")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    args.func(args)
