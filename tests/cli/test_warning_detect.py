"""`cityloop warning detect` as a user runs it: a CSV file or standard input in, CSV out;
bad input refused with one line and exit status 2."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from cityloop.testing import cli_env


def detect(
    tmp_path: Path, text: str, *options: str, stdin: bool = False
) -> subprocess.CompletedProcess[str]:
    source = "-"
    if not stdin:
        (tmp_path / "series.csv").write_text(text, encoding="utf-8")
        source = str(tmp_path / "series.csv")
    return subprocess.run(
        [sys.executable, "-m", "cityloop", "warning", "detect", *options, source],
        env=cli_env(tmp_path),
        input=text if stdin else None,
        text=True,
        capture_output=True,
        timeout=120,
        check=False,
    )


def _series_with_spike(days: int = 120, spike: int = 100) -> tuple[str, date]:
    rng = np.random.default_rng(7)
    start = date(2025, 3, 3)
    counts = rng.poisson([25 if (start + timedelta(i)).weekday() < 5 else 10 for i in range(days)])
    counts[spike] += 40
    rows = [f"{start + timedelta(i)},{count}" for i, count in enumerate(counts)]
    return "date,count\n" + "\n".join(rows) + "\n", start + timedelta(spike)


@pytest.mark.parametrize("stdin", [False, True], ids=["file", "stdin"])
def test_every_method_flags_the_spike_day(tmp_path, stdin):
    text, spike_day = _series_with_spike()
    done = detect(tmp_path, text, stdin=stdin)

    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert list(rows[0]) == ["date", "method", "alarm", "statistic", "threshold"]
    by_method: dict[str, dict[str, dict[str, str]]] = {}
    for row in rows:
        by_method.setdefault(row["method"], {})[row["date"]] = row
    assert sorted(by_method) == ["c1", "c2", "c3", "ours"]
    first_days = {method: min(days) for method, days in by_method.items()}
    assert first_days == {
        "c1": "2025-03-10",
        "c2": "2025-03-12",
        "c3": "2025-03-14",
        "ours": "2025-04-07",
    }
    for method in ("c1", "c2", "ours"):
        spike = by_method[method][spike_day.isoformat()]
        assert spike["alarm"] == "1" and float(spike["statistic"]) > float(spike["threshold"])
    # C3 (as earsC computes it) weighs the two days before, so it flags the next day.
    assert by_method["c3"][(spike_day + timedelta(1)).isoformat()]["alarm"] == "1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("day,count\n2025-01-01,3\n", "missing column date"),
        ("date,count\n2025-01-01,3\n2025-13-02,4\n", "line 3: bad date '2025-13-02'"),
        ("date,count\n2025-01-01,3\n2025-01-02,-1\n", "line 3: count '-1' is not a non-negative"),
        ("date,count\n2025-01-01,3\n2025-01-01,4\n", "line 3: date 2025-01-01 is repeated"),
        ("date,count\n2025-01-02,3\n2025-01-01,4\n", "line 3: date 2025-01-01 is out of order"),
        ("date,count\n2025-01-01,many\n", "line 2: bad count 'many'"),
        ("date,count\n", "no data rows"),
    ],
)
def test_bad_input_is_refused_in_one_line(tmp_path, text, message):
    done = detect(tmp_path, text)

    assert done.returncode == 2
    assert done.stdout == ""
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_an_impossible_alpha_is_refused(tmp_path):
    text, _ = _series_with_spike()
    done = detect(tmp_path, text, "--alpha", "1.5")

    assert done.returncode == 2 and done.stdout == ""
    assert "--alpha must be between 0 and 0.5" in done.stderr


def test_a_missing_file_is_refused(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "cityloop", "warning", "detect", str(tmp_path / "nope.csv")],
        env=cli_env(tmp_path),
        text=True,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "cannot read" in done.stderr and "Traceback" not in done.stderr
