"""`cityloop proactive …` as a user runs it: bad options refused with one line and exit
status 2 before the database is touched; an empty city says there is nothing to forecast."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cityloop.testing import cli_env


def proactive(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cityloop", "proactive", *arguments],
        env=cli_env(tmp_path),
        text=True,
        capture_output=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["forecast", "--horizon", "9"], "--horizon must be 1 to 8 weeks, not 9"),
        (["forecast", "--as-of", "2026-02-30"], "--as-of must be a date YYYY-MM-DD"),
        (["propose", "--as-of", "yesterday"], "--as-of must be a date YYYY-MM-DD"),
    ],
)
def test_bad_options_are_refused_in_one_line(tmp_path, arguments, message):
    done = proactive(tmp_path, *arguments)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"cityloop proactive: {message}")
    assert not (tmp_path / "cityloop.sqlite3").exists()


def test_an_empty_city_has_nothing_to_forecast(tmp_path):
    done = proactive(tmp_path, "forecast", "--backtest")
    assert done.returncode == 2
    assert "no district × category series" in done.stderr
    assert done.stdout == ""
