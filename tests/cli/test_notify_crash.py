"""A worker killed between sending a message and recording it (SIGKILL to every process of
it, at a point forced by CITYLOOP_NOTIFY_PAUSE_AFTER_SEND): the next worker sends the message
exactly once — not lost, and not twice."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cityloop.testing import cli_env
from tests.cli.test_worker_stop import cityloop_cli, clean_up, seconds_to_stop, wait_for

pytestmark = pytest.mark.once

RECEIVE = (
    "from cityloop.access.actors import Actor; "
    "from cityloop.intake.services import AppealDraft, receive_appeal; "
    "print(receive_appeal(AppealDraft(channel='web', title='', content='路灯坏了', "
    "caller_phone='13800138000', address_text='光华路'), actor=Actor.citizen()).tracking_code)"
)


def worker(data_dir: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "cityloop", "worker"],
        env={**cli_env(data_dir), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def outbox_row(db: sqlite3.Connection) -> tuple[str, int, str]:
    row = db.execute("SELECT status, attempts, provider_id FROM notify_outbox").fetchone()
    return row[0], row[1], row[2]


def test_a_worker_killed_after_sending_does_not_send_again_nor_lose_it(tmp_path):
    cityloop_cli(tmp_path, "seed")
    made = subprocess.run(
        [sys.executable, "-m", "cityloop", "manage", "shell", "-c", RECEIVE],
        env=cli_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    code = made.stdout.strip().splitlines()[-1]
    sms = tmp_path / "outbox" / "sms" / f"{code}-1-sms.txt"
    database = sqlite3.connect(tmp_path / "cityloop.sqlite3", timeout=30)

    # The commit asked the worker to send; this one sends, then stalls before recording.
    first = worker(tmp_path, CITYLOOP_NOTIFY_PAUSE_AFTER_SEND="120")
    try:
        wait_for(sms.exists, 90, "the message to be sent")
    finally:
        left = clean_up(first.pid)  # SIGKILL to every process of the worker
    assert left, "the worker was running when it was killed"
    assert outbox_row(database) == ("queued", 1, ""), "sent, but not recorded as sent"

    # The drain job was never acknowledged and the message's claim is still held: both
    # are aged by hand here (the broker's retry and the claim's own time would do it).
    with database:
        database.execute("UPDATE django_q_ormq SET lock = '2000-01-01 00:00:00'")
        database.execute("UPDATE notify_outbox SET claimed_until = '2000-01-01 00:00:00'")
    second = worker(tmp_path)
    try:
        wait_for(lambda: outbox_row(database)[0] == "sent", 90, "the message to be recorded")
        assert seconds_to_stop(second, "group") < 15
    finally:
        clean_up(second.pid)
    status, attempts, provider_id = outbox_row(database)
    assert (status, attempts) == ("sent", 2)
    assert provider_id == f"file:sms/{code}-1-sms.txt"
    assert [p.name for p in sms.parent.iterdir()] == [sms.name], "one message, no leftovers"
    assert sms.read_text().count(code) >= 1
    output = (second.stdout.read() if second.stdout else "") or ""
    assert "SMS to" not in output, "the second worker found it sent and wrote nothing"
    database.close()
