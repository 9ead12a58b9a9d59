"""The command line as a newcomer runs it: its own database, a demo city, a live server."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cityloop.testing import cli_env, free_port


def run_cli(tmp_path: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cityloop", *args],
        env=cli_env(tmp_path),
        text=True,
        capture_output=True,
        timeout=timeout,
        check=False,
    )


def start_server(env: dict[str, str], *args: str) -> tuple[subprocess.Popen[str], str]:
    """`cityloop serve` in a subprocess, once it prints its address (the caller stops it)."""
    server = subprocess.Popen(
        [sys.executable, "-m", "cityloop", "serve", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = None
    deadline = time.time() + 240
    assert server.stdout is not None
    while time.time() < deadline and url is None:
        line = server.stdout.readline()
        if not line and server.poll() is not None:
            server.wait(20)
            pytest.fail("server exited")
        found = re.search(r"running at (http://127\.0\.0\.1:\d+/)", line)
        url = found.group(1) if found else None
    if url is None:
        server.terminate()
        server.wait(20)
    assert url, "the address is printed"
    return server, url


def test_demo_command_builds_a_city(tmp_path):
    done = run_cli(
        tmp_path, "demo", "--appeals", "120", "--streets-per-district", "1", "--days", "20"
    )
    assert done.returncode == 0, done.stderr
    assert "appeals: 120" in done.stdout and "districts: 16" in done.stdout
    assert "appeals      [" in done.stdout, "long work shows progress"
    assert (tmp_path / "cityloop.sqlite3").exists()


def test_serve_prints_its_address_and_answers(tmp_path):
    server, url = start_server(
        cli_env(tmp_path), "--port", str(free_port()), "--no-worker", "--demo-appeals", "150"
    )
    try:
        for _ in range(60):
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    page = response.read().decode()
                break
            except OSError:
                time.sleep(0.5)
        assert "今日受理" in page
        with urllib.request.urlopen(url + "track/", timeout=5) as response:
            assert "查询码" in response.read().decode()
    finally:
        server.terminate()
        server.wait(20)


def test_classify_train_and_evaluate_on_any_csv(tmp_path):
    rows = ["text,label"]
    words = {
        "城乡建设": ["暖气不热", "路灯坏了", "小区垃圾", "道路积水"],
        "劳动和社会保障": ["拖欠工资", "社保断缴", "劳动合同", "辞退补偿"],
        "教育文体": ["学校收费", "入学划片", "培训机构", "校车安全"],
    }
    for label, phrases in words.items():
        for i in range(12):
            rows.append(f"{phrases[i % 4]}的问题第{i}次反映请处理,{label}")
    data = tmp_path / "labeled.csv"
    data.write_text("\n".join(rows), encoding="utf-8")
    unlabeled = tmp_path / "unlabeled.csv"
    unlabeled.write_text("text\n暖气还是不热\n公司拖欠工资\n", encoding="utf-8")

    trained = run_cli(
        tmp_path, "classify", "train", "--data", str(data), "--unlabeled", str(unlabeled)
    )
    assert trained.returncode == 0, trained.stderr
    assert "now in use" in trained.stdout
    evaluated = run_cli(tmp_path, "classify", "evaluate", "--data", str(data))
    assert evaluated.returncode == 0, evaluated.stderr
    lines = evaluated.stdout.strip().splitlines()
    assert re.fullmatch(r"macro-F1: [01]\.\d{3}", lines[-1])
    assert "劳动和社会保障" in evaluated.stdout

    bad = tmp_path / "bad.csv"
    bad.write_text("content,category\nx,y\n", encoding="utf-8")
    refused = run_cli(tmp_path, "classify", "evaluate", "--data", str(bad))
    assert refused.returncode != 0
    assert "text" in (refused.stderr + refused.stdout)


def test_served_limits_hold_across_gunicorn_workers(tmp_path):
    """Reports sent at once to a server with two gunicorn workers: the count is shared (the
    database cache that `serve` creates) and atomic, so exactly the allowed number pass."""
    from cityloop.settings import CITYLOOP_THROTTLES

    allowed = min(int(rate.split("/")[0]) for rate in CITYLOOP_THROTTLES["report_per_ip"])
    args = ["--port", str(free_port()), "--workers", "2", "--no-worker", "--no-demo"]
    server, url = start_server(cli_env(tmp_path), *args)
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(url + "track/", timeout=5).close()
                break
            except OSError:
                time.sleep(0.5)

        def report(n: int) -> int:
            body = json.dumps({"content": f"路灯坏了{n}", "caller_phone": "13800001111"})
            request = urllib.request.Request(
                url + "api/public/appeals",
                data=body.encode(),
                headers={"Content-Type": "application/json"},
            )
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    return response.status
            except urllib.error.HTTPError as refused:
                return refused.code

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(report, range(3 * allowed)))
        assert sorted(statuses) == [201] * allowed + [429] * (2 * allowed)
    finally:
        server.terminate()
        server.wait(20)
