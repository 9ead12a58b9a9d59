"""A private PostgreSQL 15 cluster for the fault tests: its own data folder, port and
socket, fsync on (the tests are about durability), killed with SIGKILL at will and never
the shared server the other tests use."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

# The postmaster's settings: durable commits, and small enough for a CI machine.
SERVER_SETTINGS = {
    "fsync": "on",
    "synchronous_commit": "on",
    "full_page_writes": "on",
    "listen_addresses": "127.0.0.1",
    "max_connections": "60",
    "shared_buffers": "32MB",
    "log_min_messages": "fatal",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def postgres_bindir() -> Path | None:
    """Where initdb and postgres are: pg_config's bindir, else Debian's PostgreSQL 15."""
    candidates = []
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        found = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=True
        )
        candidates.append(Path(found.stdout.strip()))
    # Debian's server packages, newest first (pg_config may come from libpq-dev alone)
    debian = Path("/usr/lib/postgresql")
    if debian.is_dir():
        versions = sorted(
            (p for p in debian.iterdir() if p.name.isdigit()), key=lambda p: -int(p.name)
        )
        candidates.extend(version / "bin" for version in versions)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "postgres").is_file():
            return bindir
    return None


def bindir_or_skip() -> Path:
    bindir = postgres_bindir()
    message = "PostgreSQL server binaries (initdb, postgres) not found"
    if bindir is not None and os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            bindir, message = None, "running as root and there is no `postgres` user to run initdb"
    if bindir is None:
        if os.environ.get("CITYLOOP_REQUIRE_PG") == "1":
            pytest.fail(f"{message}, and CITYLOOP_REQUIRE_PG=1")
        pytest.skip(message)
    return bindir


class PrivatePostgres:
    """initdb in a temporary folder; start, kill -9 and start again the postmaster."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="cityloop-faults-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        # initdb and postgres refuse to run as root: as root, they run as `postgres`
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self.root.chmod(0o755)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/cityloop"

    def _run(self, *command: str) -> None:
        subprocess.run([*self.as_user, *command], check=True, capture_output=True, timeout=120)

    def create(self) -> None:
        self._run(
            str(self.bindir / "initdb"),
            *("-D", str(self.data), "-U", "postgres", "--auth=trust"),
            *("-E", "UTF8", "--locale=C.UTF-8", "--no-sync"),
        )
        self.start()
        self._run(
            str(self.bindir / "psql"),
            *("-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-q"),
            *("-c", "CREATE DATABASE cityloop"),
        )

    def start(self, seconds: float = 60) -> None:
        """Start the postmaster; after a kill -9 its orphaned backends may hold the shared
        memory for a moment, so a refused start is tried again."""
        options = [f"-c{name}={value}" for name, value in SERVER_SETTINGS.items()]
        deadline = time.monotonic() + seconds
        while True:
            self.process = subprocess.Popen(
                [
                    *self.as_user,
                    str(self.bindir / "postgres"),
                    *("-D", str(self.data), "-p", str(self.port), "-k", str(self.root)),
                    *options,
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
            if self._wait_ready(self.process, deadline):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"the private PostgreSQL did not start: {self._stderr()}")
            time.sleep(0.5)

    def _stderr(self) -> str:
        if self.process is None or self.process.stderr is None:
            return ""
        with contextlib.suppress(Exception):
            return self.process.stderr.read().decode(errors="replace")[-2000:]
        return ""

    def _wait_ready(self, process: subprocess.Popen[bytes], deadline: float) -> bool:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return False
            ready = subprocess.run(
                [str(self.bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)],
                check=False,
            )
            if ready.returncode == 0:
                return True
            time.sleep(0.2)
        return False

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().splitlines()[0])

    def kill9(self) -> None:
        """SIGKILL to the postmaster alone, as the kernel's OOM killer would: its backends
        notice and exit; nothing is shut down cleanly."""
        os.kill(self.postmaster_pid(), signal.SIGKILL)
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(10)

    def destroy(self) -> None:
        with contextlib.suppress(Exception):
            self._run(str(self.bindir / "pg_ctl"), "stop", "-D", str(self.data), "-m", "immediate")
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)
