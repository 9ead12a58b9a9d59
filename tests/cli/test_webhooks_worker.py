"""The real worker (`cityloop worker`) sends a delivery after the commit of the event it
tells of, to a receiver on loopback, signed with the subscription's secret: the receiver is
told, nobody polls."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys

import pytest

from cityloop.integrations.webhooks.tests.helpers import start_receiver
from cityloop.testing import cli_env
from tests.cli.test_notify_crash import RECEIVE, worker
from tests.cli.test_worker_stop import cityloop_cli, clean_up

pytestmark = pytest.mark.once

SECRET = "the-district-system-secret"
SUBSCRIBE = (
    "from django.contrib.auth import get_user_model; "
    "from cityloop.access import keys; from cityloop.access.actors import Actor; "
    "from cityloop.integrations.webhooks import services; "
    "admin = get_user_model().objects.create_superuser('admin', password='x'); "
    "key, _raw = keys.issue_key(actor=Actor.from_user(admin), name='区系统', "
    "scopes=['webhooks']); "
    "services.subscribe(key=key, url='{url}', secret='" + SECRET + "')"
)


def shell(data_dir, code: str) -> str:  # type: ignore[no-untyped-def]
    done = subprocess.run(
        [sys.executable, "-m", "cityloop", "manage", "shell", "-c", code],
        env={**cli_env(data_dir), "CITYLOOP_WEBHOOKS_ALLOW_PRIVATE": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return done.stdout


def test_the_worker_pushes_the_event_to_the_receiver(tmp_path):
    receiver, server = start_receiver()
    try:
        cityloop_cli(tmp_path, "seed")
        shell(tmp_path, SUBSCRIBE.replace("{url}", receiver.url))
        running = worker(tmp_path, CITYLOOP_WEBHOOKS_ALLOW_PRIVATE="1")
        try:
            code = shell(tmp_path, RECEIVE).strip().splitlines()[-1]
            assert receiver.got.wait(90), "the worker told the receiver"
        finally:
            clean_up(running.pid)
    finally:
        server.shutdown()
    first = receiver.requests[0]
    body = json.loads(first.body)
    assert (body["kind"], body["appeal"]["tracking_code"]) == ("receive", code)
    signed = first.headers["X-Cityloop-Timestamp"].encode() + b"." + first.body
    digest = hmac.new(SECRET.encode(), signed, hashlib.sha256).hexdigest()
    assert first.headers["X-Cityloop-Signature"] == f"sha256={digest}"
    assert "13800138000" not in first.body.decode()
