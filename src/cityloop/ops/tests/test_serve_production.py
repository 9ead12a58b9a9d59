"""`cityloop serve --no-demo --no-worker` as systemd runs it: several gunicorn processes,
replaced every few requests, whose request metrics add up in one scrape; JSON log lines
without tracking codes or phone numbers; the readiness and health answers."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from cityloop.testing import cli_env, free_port

REQUESTS = 12
CODE = "ZZ20991231000001"
PHONE = "13912345678"


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read()


@pytest.mark.once
def test_a_production_server_adds_up_its_workers_and_logs_no_personal_data(tmp_path):
    port = free_port()
    env = {
        **cli_env(tmp_path),
        "CITYLOOP_WEB_WORKERS": "2",
        "CITYLOOP_WEB_THREADS": "2",
        # workers replaced every 4 requests: their counts must survive them
        "CITYLOOP_WEB_MAX_REQUESTS": "4",
        "CITYLOOP_WEB_MAX_REQUESTS_JITTER": "0",
    }
    env.pop("CITYLOOP_LOG_FORMAT", None)
    err = (tmp_path / "stderr.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "cityloop", "serve", "--no-demo", "--no-worker",
         "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if get(base + "/healthz") == (200, b"ok"):
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail((tmp_path / "stderr.log").read_text())
        status, body = get(base + "/readyz")
        assert status == 200 and json.loads(body)["status"] == "ready"
        for _ in range(REQUESTS):
            get(f"{base}/track/{CODE}/?phone={PHONE}")
        status, body = get(base + "/metrics")
        assert status == 200
    finally:
        server.terminate()
        server.wait(60)
        err.close()
    counted = {
        sample.labels["route"]: sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
        if sample.name == "cityloop_http_requests_total" and sample.labels["status"] == "4xx"
    }
    assert counted == {"track/<str:code>/": REQUESTS}, "the requests of every process of the server"
    left = sorted(path.name for path in (tmp_path / "metrics").glob("counter_*.db"))
    assert "counter_archive.db" in left, "replaced workers' counts were folded"
    assert len(left) <= 3, "at most the two live workers' files and the archive"
    lines = [
        json.loads(line)
        for line in (tmp_path / "stderr.log").read_text().splitlines()
        if line.startswith("{")
    ]
    tracked = [line for line in lines if line.get("route") == "track/<str:code>/"]
    assert len(tracked) == REQUESTS
    assert {line["status"] for line in tracked} == {404}
    written = (tmp_path / "stderr.log").read_text()
    assert CODE not in written and PHONE not in written
