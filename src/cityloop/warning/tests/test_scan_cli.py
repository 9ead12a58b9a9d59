"""`cityloop warning scan FILE.csv`, run as a user runs it: a subprocess."""

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

HEADER = "cell,x,y,date,count\n"


def run_scan(tmp_path: Path, text: str, *options: str) -> subprocess.CompletedProcess[str]:
    data = tmp_path / "cases.csv"
    data.write_text(text, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "cityloop", "warning", "scan", str(data), *options],
        capture_output=True,
        text=True,
        env=cli_env(tmp_path),
        timeout=120,
    )


def grid_with_cluster() -> str:
    rng = np.random.default_rng(4)
    first = date(2026, 5, 1)
    lines = [HEADER]
    for x in range(8):
        for y in range(8):
            for day in range(20):
                count = int(rng.poisson(2))
                if (x, y) in {(3, 3), (3, 4)} and day >= 17:
                    count += 8
                lines.append(f"G{x}{y},{x},{y},{first + timedelta(days=day)},{count}\n")
    return "".join(lines)


def test_the_injected_cluster_comes_first_as_csv(tmp_path: Path) -> None:
    done = run_scan(tmp_path, grid_with_cluster(), "--replications", "99", "--max-share", "0.1")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert list(rows[0]) == ["cells", "start", "end", "observed", "expected", "p_value"]
    top = rows[0]
    assert set(top["cells"].split(";")) == {"G33", "G34"}
    assert (top["start"], top["end"]) == ("2026-05-18", "2026-05-20")
    assert int(top["observed"]) > float(top["expected"])
    assert float(top["p_value"]) < 0.05
    cells_seen = [set(r["cells"].split(";")) for r in rows]
    assert all(not (a & b) for i, a in enumerate(cells_seen) for b in cells_seen[i + 1 :])


def test_max_days_limits_the_window(tmp_path: Path) -> None:
    done = run_scan(tmp_path, grid_with_cluster(), "--replications", "0", "--max-days", "1")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert rows and all(r["start"] == r["end"] for r in rows)


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        ("cell,x,y,day,count\nA,0,0,2026-01-01,1\n", (), "header"),
        (HEADER + "A,0,0,2026-13-01,1\n", (), "date"),
        (HEADER + "A,0,0,2026-01-01,two\n", (), "count"),
        (HEADER + "A,0,0,2026-01-01,-1\n", (), "negative"),
        (HEADER + "A,east,0,2026-01-01,1\n", (), "numbers"),
        (HEADER + "A,0,0,2026-01-01,1\nA,1,0,2026-01-02,1\n", (), "moved"),
        (HEADER + "A,0,0,2026-01-01,0\n", (), "nothing to scan"),
        (HEADER, (), "no rows"),
        (HEADER + "A,0,0,2026-01-01,1\n", ("--max-share", "2"), "max-share"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    tmp_path: Path, text: str, options: tuple[str, ...], message: str
) -> None:
    done = run_scan(tmp_path, text, *options)
    assert done.returncode == 2
    assert done.stdout == ""
    assert message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cityloop", "warning", "scan", str(tmp_path / "none.csv")],
        capture_output=True,
        text=True,
        env=cli_env(tmp_path),
        timeout=60,
    )
    assert done.returncode == 2
    assert "cannot read" in done.stderr and "Traceback" not in done.stderr
