"""`cityloop warning evaluate` as a user runs it: a small run prints both tables side by side
(C1, C2, C3, ours) with progress on standard error; bad options are refused with one line
and exit status 2."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from cityloop.testing import cli_env


def evaluate(tmp_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cityloop", "warning", "evaluate", *options],
        env=cli_env(tmp_path),
        text=True,
        capture_output=True,
        timeout=300,
        check=False,
    )


def test_a_small_run_prints_both_tables(tmp_path):
    done = evaluate(tmp_path, "--incidents", "12", "--days", "240", "--seed", "3")

    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "12 series × 240 days (scored: the last 120), 12 injected incidents" in out
    assert "default alpha 0.001:" in out
    assert "matched false-alarm rate (EARS C3's at alpha 0.001):" in out
    assert "matched false-alarm rate (strict): 0.0100 per series-week" in out
    assert out.count("| | C1 | C2 | C3 | OURS |") == 3
    detected = re.findall(r"\| incidents detected \| (.*) \|", out)
    assert len(detected) == 3
    for row in detected:
        cells = row.split(" | ")
        assert len(cells) == 4
        assert all(re.fullmatch(r"\d+/12 \(\d+%\)", cell) for cell in cells)
    assert "24/24 series scored" in done.stderr
    # the same seed gives the same table
    assert evaluate(tmp_path, "--incidents", "12", "--days", "240", "--seed", "3").stdout == out


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--incidents", "3"], "--incidents must be between 10 and 5000, not 3"),
        (["--days", "30"], "--days must be between 120 and 3650, not 30"),
        (["--alpha", "0.9"], "--alpha must be between 0 and 0.5, not 0.9"),
        (["--matched-rate", "0"], "--matched-rate must be between 0 and 7 per week, not 0"),
    ],
)
def test_bad_options_are_refused_in_one_line(tmp_path, options, message):
    done = evaluate(tmp_path, *options)
    assert done.returncode == 2
    assert done.stderr.strip() == f"cityloop warning: {message}"
    assert done.stdout == ""
