"""The cityloop processes the fault tests start and kill -9: the web server (gunicorn, a
process group of its own) and the job worker (its cluster leads a group of its own, so the
whole session is killed), and a small HTTP client that retries what got no answer."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cityloop.testing import cli_env
from tests.cli.test_worker_stop import clean_up
from tests.faults.postgres import free_port


def env_for(data_dir: Path, database_url: str) -> dict[str, str]:
    return {**cli_env(data_dir), "CITYLOOP_DATABASE_URL": database_url}


def run_cli(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "cityloop", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"cityloop {args[0]} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


class Server:
    """`cityloop serve --no-demo --no-worker` on a port of its own."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.port = free_port()
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, seconds: float = 60) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "cityloop", "serve", "--no-demo", "--no-worker"),
                    *("--port", str(self.port), "--workers", "2"),
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited: {self.log.read_text()[-3000:]}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                probe = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                probe.request("GET", "/accounts/login/")
                probe.getresponse().read()
                probe.close()
                return
            time.sleep(0.2)
        raise AssertionError(f"the server did not answer: {self.log.read_text()[-3000:]}")

    def kill9(self) -> None:
        """SIGKILL to the gunicorn master and its workers at once (the process group)."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill9()
        if self.process is not None:
            clean_up(self.process.pid)


class Worker:
    """`cityloop worker`, started in a session of its own; kill9 ends every process of it."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "cityloop", "worker"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill9(self) -> list[int]:
        assert self.process is not None
        left = clean_up(self.process.pid)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
        return left

    def stop(self) -> None:
        if self.process is not None:
            self.kill9()


@dataclass
class Answer:
    status: int  # 0: no answer (connection refused or cut)
    body: Any
    sent: float = 0.0  # time.monotonic() when the request was sent
    answered: float = 0.0  # and when its answer (or the lack of one) came


@dataclass
class Client:
    """JSON over HTTP with a staff token. `send` retries what got no answer or a 5xx until
    `seconds` pass, and keeps every answer for the test to judge."""

    base: str
    token: str
    answers: list[Answer] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def once(self, method: str, path: str, payload: Any = None) -> Answer:
        sent = time.monotonic()
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                answer = Answer(response.status, json.loads(response.read() or b"null"))
        except urllib.error.HTTPError as error:
            body = error.read()
            with contextlib.suppress(ValueError):
                body = json.loads(body)
            answer = Answer(error.code, body)
        except (OSError, ValueError, http.client.HTTPException):  # refused, reset, cut
            answer = Answer(0, None)
        answer.sent, answer.answered = sent, time.monotonic()
        with self.lock:
            self.answers.append(answer)
        return answer

    def send(self, method: str, path: str, payload: Any = None, seconds: float = 90) -> Answer:
        deadline = time.monotonic() + seconds
        while True:
            answer = self.once(method, path, payload)
            if 0 < answer.status < 500 or time.monotonic() > deadline:
                return answer
            time.sleep(0.2)
