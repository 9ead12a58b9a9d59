"""`cityloop worker`: django-q2's cluster, stopped within seconds by SIGTERM or SIGINT.

Why not django-q2's own `qcluster`: its signal handler stops the cluster by setting a
multiprocessing Event that the sentinel process waits on. When TERM goes to the whole process
group (systemd, a stopped `cityloop serve`), the sentinel dies of the same signal while it is
still counted as a waiter of that Event, and `Event.set()` then waits for it to wake, for
ever: the main process hangs in a futex and `systemctl stop` with it.

Here the signal handler only notes the request. The main process asks the cluster to stop
from a helper thread (which may hang harmlessly), gives it STOP_GRACE_SECONDS to finish the
jobs in hand, and then kills what is left of it: the sentinel leads a process group of its
own, so its workers, pusher and monitor go with it and none is orphaned. A job cut off this
way was never acknowledged, so the ORM broker hands it out again after Q_CLUSTER["retry"]
seconds; every job is written to be safe to run twice.
"""

from __future__ import annotations

import contextlib
import multiprocessing.util
import os
import signal
import sys
import threading
import time
from multiprocessing.process import BaseProcess
from types import FrameType

STOP_GRACE_SECONDS = 5.0
POLL_SECONDS = 0.2


class _StopRequest:
    def __init__(self) -> None:
        self.requested = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        # Only a flag: taking any lock here could deadlock against the interrupted code.
        self.requested = True


class _ClusterGroup:
    """Puts the sentinel, this process's only multiprocessing child, at the head of a
    process group of its own as it starts, before it forks the workers (they inherit it)."""

    def __init__(self) -> None:
        self.main_pid = os.getpid()

    def lead(self) -> None:
        if os.getppid() == self.main_pid:
            os.setpgid(0, 0)


def run_worker(*, stop_with_parent: bool = False) -> int:
    """Run the cluster until TERM or INT (or, with `stop_with_parent`, until the process
    that started this one is gone); return the exit status."""
    from django_q.cluster import Cluster

    from cityloop.analytics.jobs import ensure_schedules as ensure_analytics_schedules
    from cityloop.appeals.partitions import ensure_schedules as ensure_partition_schedules
    from cityloop.intake.second_stage import ensure_schedules as ensure_second_stage_schedules
    from cityloop.integrations.webhooks.jobs import ensure_schedules as ensure_webhooks_schedules
    from cityloop.notify.jobs import ensure_schedules as ensure_notify_schedules
    from cityloop.oversight.jobs import ensure_schedules
    from cityloop.warning.jobs import ensure_schedules as ensure_warning_schedules

    ensure_schedules()
    ensure_notify_schedules()
    ensure_analytics_schedules()
    ensure_warning_schedules()
    ensure_second_stage_schedules()
    ensure_webhooks_schedules()
    ensure_partition_schedules()
    parent = os.getppid()
    stop = _StopRequest()
    cluster = Cluster()  # installs django-q2's handlers, replaced right below
    # HUP too: the cluster is no longer in the terminal's process group, so a closed
    # terminal must stop it through this process.
    for signum in (signal.SIGTERM, signal.SIGINT, getattr(signal, "SIGHUP", signal.SIGTERM)):
        signal.signal(signum, stop)
    group = _ClusterGroup()
    multiprocessing.util.register_after_fork(group, _ClusterGroup.lead)
    try:
        cluster.start()
    except RuntimeError:
        if not stop.requested:  # the sentinel failed on its own
            raise
    sentinel = cluster.sentinel
    assert sentinel is not None
    while not stop.requested and not _has_exited(sentinel):
        if stop_with_parent and os.getppid() != parent:
            break
        time.sleep(POLL_SECONDS)
    unexpected = not stop.requested and _has_exited(sentinel)
    _stop_cluster(cluster, sentinel)
    if unexpected:
        print("cityloop worker: the job cluster stopped unexpectedly", file=sys.stderr)
        return 1
    return 0


def _stop_cluster(cluster: object, sentinel: BaseProcess) -> None:
    if not _has_exited(sentinel):
        stop_event = cluster.stop_event  # type: ignore[attr-defined]
        threading.Thread(target=stop_event.set, daemon=True).start()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        while time.monotonic() < deadline and not _has_exited(sentinel):
            time.sleep(0.1)
    # Until the sentinel is reaped its pid, and with it the group id, cannot be given to
    # another process: the kill reaches only what is left of the cluster. (Only a sentinel
    # that died while the cluster was starting has been reaped already, by Cluster.start;
    # what it had started must go all the same.)
    if sentinel.pid is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(sentinel.pid, signal.SIGKILL)
    sentinel.join(5)


def _has_exited(process: BaseProcess) -> bool:
    """Whether a child has ended, without reaping it (see _stop_cluster)."""
    if process.pid is None:
        return True
    if not hasattr(os, "waitid"):  # not on every platform; is_alive() reaps, good enough
        return not process.is_alive()
    try:
        ended = os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return True
    return ended is not None
