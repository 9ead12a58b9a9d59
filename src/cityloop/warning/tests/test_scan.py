"""Kulldorff's space-time permutation scan on small data with a known answer."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from cityloop.warning.scan import scan

FIRST = date(2026, 3, 1)


def grid(side: int) -> tuple[list[str], np.ndarray]:
    names = [f"g{x}-{y}" for x in range(side) for y in range(side)]
    return names, np.array([(x, y) for x in range(side) for y in range(side)], dtype=float)


def background(side: int, days: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).poisson(2.0, size=(side * side, days))


def test_the_statistic_of_a_tiny_example_is_the_one_computed_by_hand() -> None:
    # Cell A: 3 cases on day 1; cell B: 1 on day 1 and 2 on day 2. N = 6.
    counts = np.array([[3, 0], [1, 2]])
    found = scan(
        ["A", "B"],
        np.array([[0.0, 0.0], [10.0, 0.0]]),
        FIRST,
        counts,
        replications=0,
        max_days=1,
        max_share=0.5,
    )
    # B on day 2: n = 2, μ = 3·2/6 = 1.  A on day 1: n = 3, μ = 3·4/6 = 2.
    # (B on day 1 and A on day 2 fall short of their expectation: no cluster.)
    assert [(c.cells, c.start, c.end, c.observed) for c in found] == [
        (("B",), date(2026, 3, 2), date(2026, 3, 2), 2),
        (("A",), FIRST, FIRST, 3),
    ]
    assert found[0].expected == pytest.approx(1.0)
    assert found[0].statistic == pytest.approx(2 * math.log(2) + 4 * math.log(4 / 5))
    assert found[1].expected == pytest.approx(2.0)
    assert found[1].statistic == pytest.approx(3 * math.log(3 / 2) + 3 * math.log(3 / 4))
    assert all(c.p_value == 1.0 for c in found)  # no replications: no evidence


def test_an_injected_cluster_is_found_with_its_cells_and_days() -> None:
    names, coords = grid(10)
    counts = background(10, 30, seed=1)
    hot = [names.index(n) for n in ("g0-0", "g0-1", "g1-0", "g1-1")]
    counts[hot, 25:28] += 6
    found = scan(names, coords, FIRST, counts, replications=99, max_share=0.1, seed=3)
    top = found[0]
    assert set(top.cells) == {"g0-0", "g0-1", "g1-0", "g1-1"}
    assert (top.start, top.end) == (date(2026, 3, 26), date(2026, 3, 28))
    assert top.observed == int(counts[hot, 25:28].sum())
    assert top.p_value < 0.05
    # Secondary clusters share no cell with the most likely one, and are weaker.
    for other in found[1:]:
        assert not set(other.cells) & set(top.cells)
        assert other.statistic <= top.statistic


def test_uniform_data_has_no_significant_cluster() -> None:
    names, coords = grid(10)
    for seed in (11, 12):
        found = scan(
            names,
            coords,
            FIRST,
            background(10, 30, seed),
            replications=99,
            max_share=0.1,
            seed=seed,
        )
        assert found[0].p_value > 0.05


def test_the_same_seed_gives_the_same_p_values() -> None:
    names, coords = grid(6)
    counts = background(6, 20, seed=5)
    runs = [
        scan(names, coords, FIRST, counts, replications=49, max_share=0.2, seed=9) for _ in range(2)
    ]
    assert runs[0] == runs[1]


def test_prospective_windows_end_on_the_last_day() -> None:
    names, coords = grid(10)
    counts = background(10, 30, seed=1)
    hot = [names.index("g5-5"), names.index("g5-6")]
    counts[hot, 10:13] += 8  # over by the last day
    counts[[names.index("g9-9"), names.index("g9-8")], 27:] += 8  # still going on
    found = scan(
        names, coords, FIRST, counts, replications=99, max_share=0.1, prospective=True, seed=2
    )
    assert all(c.end == date(2026, 3, 30) for c in found)
    assert {"g9-9", "g9-8"} <= set(found[0].cells) and found[0].p_value < 0.05


def test_a_radius_keeps_clusters_within_it() -> None:
    names, coords = grid(10)
    counts = background(10, 30, seed=1)
    counts[:4, 25:28] += 6
    found = scan(names, coords, FIRST, counts, replications=0, max_share=0.5, max_radius=0.0)
    assert all(len(c.cells) == 1 for c in found)


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        (np.zeros((2, 3), dtype=int), "no cases"),
        (np.array([[1, -1, 0], [0, 0, 1]]), "negative"),
    ],
)
def test_unusable_counts_are_refused(counts: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        scan(["A", "B"], np.zeros((2, 2)), FIRST, counts)


def test_prospective_and_retrospective_agree_on_a_cluster_ending_on_the_last_day() -> None:
    names, coords = grid(8)
    counts = background(8, 20, seed=8)
    counts[[0, 1, 8], 17:] += 9
    kinds = [
        scan(names, coords, FIRST, counts, replications=0, max_share=0.1, prospective=p)[0]
        for p in (False, True)
    ]
    assert kinds[0] == kinds[1]
    assert kinds[0].end == date(2026, 3, 20)
