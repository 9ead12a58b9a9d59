"""A job for the worker tests: it records its start, waits until released (as a long job
holds its worker), then records that it finished."""

from __future__ import annotations

import time
from pathlib import Path


def held_job(marker: str) -> None:
    path = Path(marker)
    with path.open("a") as log:
        log.write("start\n")
    release = path.with_name(path.name + ".release")
    deadline = time.monotonic() + 120
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    with path.open("a") as log:
        log.write("done\n")
