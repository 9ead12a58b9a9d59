"""`cityloop import` killed half-way (SIGKILL): whole chunks only are left, and running the
same command again gives every row of the file exactly once."""

from __future__ import annotations

import csv
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cityloop.testing import cli_env
from tests.cli.test_commands import run_cli

pytestmark = pytest.mark.once

ROWS = 3000
HEADER = [
    "工单编号",
    "受理时间",
    "诉求内容",
    "承办单位",
    "办结时间",
    "是否解决",
    "满意度",
    "关闭时间",
]


def write_history(path: Path) -> None:
    """ROWS good rows over March 2026 and one bad row at the end (handled by the 12345
    centre, the unit a freshly seeded database has)."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n in range(ROWS):
            day = 1 + n % 27
            writer.writerow(
                [
                    f"T{n}",
                    f"2026-03-{day:02d} 09:{n % 60:02d}",
                    f"路灯不亮 {n}",
                    "12345",
                    f"2026-03-{day + 1:02d} 10:00",
                    "是" if n % 3 else "否",
                    "满意" if n % 4 else "不满意",
                    f"2026-03-{day + 1:02d} 18:00",
                ]
            )
        writer.writerow(["BAD", "昨天", "", "", "", "", "", ""])


def query(data_dir: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(data_dir / "cityloop.sqlite3", timeout=30) as db:
        return db.execute(sql).fetchall()


def kill_import_half_way(data_dir: Path, source: Path) -> str:
    log = data_dir / "import.log"
    with log.open("w") as out:
        running = subprocess.Popen(
            [sys.executable, "-m", "cityloop", "import", str(source), "--chunk-size", "100"],
            env=cli_env(data_dir),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 240
        # two chunks committed: well into the file, far from its end
        while time.monotonic() < deadline and running.poll() is None:
            if log.read_text().count("导入 import:") >= 2:
                break
            time.sleep(0.02)
        assert running.poll() is None, "the import ended before it could be killed half-way"
        running.send_signal(signal.SIGKILL)
    finally:
        running.kill()
        running.wait(30)
    return log.read_text()


def test_an_import_killed_half_way_and_run_again_gives_every_row_once(tmp_path):
    assert run_cli(tmp_path, "seed").returncode == 0
    source = tmp_path / "history.csv"
    write_history(source)

    kill_import_half_way(tmp_path, source)
    appeals = query(tmp_path, "SELECT count(*) FROM appeals_appeal")[0][0]
    recorded = query(tmp_path, "SELECT count(*) FROM bulk_import_importedrow")[0][0]
    assert 0 < appeals < ROWS, "killed half-way"
    assert recorded == appeals and appeals % 100 == 0, "whole chunks: each appeal with its row"
    assert query(tmp_path, "SELECT finished_at FROM bulk_import_importbatch") == [(None,)]

    again = run_cli(tmp_path, "import", str(source), "--chunk-size", "100")
    assert again.returncode == 0, again.stderr
    assert f'"imported": {ROWS - appeals}' in again.stdout
    assert f'"already_done": {appeals}' in again.stdout
    # every row exactly once: each ticket is one appeal, each row number one record
    assert query(tmp_path, "SELECT count(*) FROM appeals_appeal") == [(ROWS,)]
    assert query(
        tmp_path,
        "SELECT count(DISTINCT r.external_id), count(*), count(DISTINCT r.row_number) "
        "FROM bulk_import_importedrow r JOIN appeals_appeal a ON a.id = r.appeal_id",
    ) == [(ROWS, ROWS, ROWS)]
    # no appeal without its whole life, from the receive to the close
    assert query(
        tmp_path,
        "SELECT count(*) FROM appeals_appeal a WHERE a.status != 'closed' OR NOT EXISTS "
        "(SELECT 1 FROM appeals_appealevent e WHERE e.appeal_id = a.id AND e.action = 'close')",
    ) == [(0,)]
    assert query(tmp_path, "SELECT count(*) FROM evaluate_callback") == [(ROWS,)]
    # the rejected row is reported, with its row number, beside the file
    report = (tmp_path / "history.csv.rejected.csv").read_text(encoding="utf-8-sig")
    assert f"{ROWS + 2},BAD,受理时间无法识别：昨天；缺少诉求内容" in report.splitlines()

    third = run_cli(tmp_path, "import", str(source))
    assert third.returncode == 0 and '"imported": 0' in third.stdout
    assert query(tmp_path, "SELECT count(*) FROM appeals_appeal") == [(ROWS,)]


def test_import_refuses_bad_input_with_one_line_and_status_2(tmp_path):
    missing = run_cli(tmp_path, "import", str(tmp_path / "none.csv"))
    assert missing.returncode == 2 and missing.stderr.strip().count("\n") == 0
    header_only = tmp_path / "wrong.csv"
    header_only.write_text("a,b\n1,2\n", encoding="utf-8")
    wrong = run_cli(tmp_path, "import", str(header_only))
    assert wrong.returncode == 2
    assert wrong.stderr.strip() == "cityloop import: 文件缺少必需的列：受理时间、诉求内容"
