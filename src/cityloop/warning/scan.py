"""Kulldorff's space-time permutation scan statistic (Kulldorff et al. 2005, SaTScan's
"space-time permutation" model) over cells with coordinates and daily counts.

Candidate clusters are cylinders: a cell and its nearest neighbours (up to a share of all
cells and, optionally, a radius) × a run of days up to `max_days` long, ending on any day
(retrospective) or on the last day only (prospective surveillance). The expected count of a
cylinder is (cells' total × days' total) / grand total, its strength the Poisson likelihood
ratio n·ln(n/μ) + (N−n)·ln((N−n)/(N−μ)) for n > μ, and its p-value comes from replications
that shuffle the dates of the cases (cell and date totals kept).

Why the arithmetic looks the way it does: μ of every cylinder is the same in every
replication (the totals are kept), so everything but the observed count n is computed
once; the ratio is rewritten as f(n) − n·ln(μ/N) − (N−n)·ln(1−μ/N) with f(n) tabulated,
so a replication costs a table look-up and a few multiplications per cylinder, no
logarithm.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

DEFAULT_REPLICATIONS = 999
DEFAULT_MAX_DAYS = 7
DEFAULT_MAX_SHARE = 0.01
DEFAULT_MAX_CLUSTERS = 10


@dataclass(frozen=True)
class Cluster:
    cells: tuple[str, ...]
    start: date
    end: date
    observed: int
    expected: float
    statistic: float
    p_value: float


@dataclass(frozen=True)
class _Candidate:
    """A cylinder to report: cell indexes, day indexes, and its ratio both exact and as the
    replications compute it."""

    cells: list[int]
    start: int
    end: int
    observed: int
    expected: float
    statistic: float
    as_replicated: float  # as computed in float32 by the blocks


@dataclass(frozen=True)
class _Windows:
    """The cylinders of one window length: zones × windows ending on days `first_end`..last.

    The ratio of a cylinder with n cases is table[n] + offset − n·slope, where offset and
    slope depend on μ alone (float32: a replication reads less memory; the clusters
    reported are computed again in float64)."""

    length: int
    first_end: int
    window_total: np.ndarray  # (windows,) cases on those days, all cells
    expected: np.ndarray  # (cells, k, windows) float32: μ, +inf beyond the radius
    offset: np.ndarray  # (cells, k, windows) float32: −N·ln(1 − μ/N)
    slope: np.ndarray  # (cells, k, windows) float32: ln(μ/N) − ln(1 − μ/N)


# Centres scanned together: small enough for a block's arrays to stay in the CPU cache.
_BLOCK = 64


class _Design:
    """Everything about the cylinders that the replications share."""

    def __init__(
        self,
        coords: np.ndarray,
        counts: np.ndarray,
        max_days: int,
        max_share: float,
        max_radius: float | None,
        prospective: bool,
    ) -> None:
        cells, days = counts.shape
        self.total = int(counts.sum())
        size = max(1, min(cells, int(max_share * cells)))
        self.neighbours, within = _nearest(coords, size, max_radius)
        cell_totals = counts.sum(axis=1)
        zone_totals = np.cumsum(cell_totals[self.neighbours], axis=1).astype(np.float64)
        # A zone beyond the radius can never beat its expectation.
        self.zone_total = np.where(within, zone_totals, np.inf)
        total = float(self.total)
        self.table = _log_table(self.total).astype(np.float32)
        day_prefix = np.concatenate([[0], np.cumsum(counts.sum(axis=0))])
        self.windows: list[_Windows] = []
        for length in range(1, min(max_days, days) + 1):
            first_end = days - 1 if prospective else length - 1
            ends = np.arange(first_end, days)
            window_total = (day_prefix[ends + 1] - day_prefix[ends + 1 - length]).astype(float)
            expected = self.zone_total[:, :, None] * window_total[None, None, :] / total
            share = np.minimum(np.where(np.isfinite(expected), expected, 0) / total, 1 - 1e-12)
            with np.errstate(divide="ignore"):
                first = np.log(np.maximum(share, 1e-300))
            second = np.log1p(-share)
            self.windows.append(
                _Windows(
                    length,
                    first_end,
                    window_total,
                    expected.astype(np.float32),
                    (-total * second).astype(np.float32),
                    (first - second).astype(np.float32),
                )
            )

    def _blocks(
        self, counts: np.ndarray
    ) -> Iterator[tuple[slice, _Windows, np.ndarray, np.ndarray]]:
        """(centres, windows, ratio of each of their cylinders, whether it counts: more
        cases than expected), block by block."""
        # Days no window covers (most of them, prospectively) are left out from the start.
        skip = min(w.first_end + 1 - w.length for w in self.windows)
        counts = counts[:, skip:].astype(np.int32, copy=False)
        for begin in range(0, len(self.neighbours), _BLOCK):
            centres = slice(begin, begin + _BLOCK)
            zone_days = np.cumsum(counts[self.neighbours[centres]], axis=1, dtype=np.int32)
            prefix = np.zeros((*zone_days.shape[:2], counts.shape[1] + 1), dtype=np.int32)
            np.cumsum(zone_days, axis=2, out=prefix[:, :, 1:])
            for w in self.windows:
                lead = w.first_end + 1 - skip
                observed = prefix[:, :, lead:] - prefix[:, :, lead - w.length : -w.length]
                # float32 throughout: an int32 × float32 product would be float64.
                count = observed.astype(np.float32)
                ratio = self.table[observed] + w.offset[centres]
                ratio -= count * w.slope[centres]
                yield centres, w, ratio, count > w.expected[centres]

    def statistics(self, counts: np.ndarray) -> list[np.ndarray]:
        """The likelihood ratio of every cylinder for these counts, one array per length."""
        out = [np.zeros(w.expected.shape, dtype=np.float32) for w in self.windows]
        for centres, w, ratio, above in self._blocks(counts):
            out[self.windows.index(w)][centres] = np.where(above, ratio, 0.0)
        return out

    def best(self, counts: np.ndarray) -> float:
        return max(
            float(np.max(ratio, where=above, initial=0.0))
            for _, _, ratio, above in self._blocks(counts)
        )


def exact_ratio(observed: int, expected: float, total: int) -> float:
    """n·ln(n/μ) + (N−n)·ln((N−n)/(N−μ)) for n > μ, else 0."""
    if observed <= expected:
        return 0.0
    rest = total - observed
    tail = rest * math.log(rest / (total - expected)) if rest > 0 else 0.0
    return observed * math.log(observed / expected) + tail


def _nearest(
    coords: np.ndarray, size: int, max_radius: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's `size` nearest cells, itself first, and whether each lies within the
    radius."""
    from scipy.spatial import cKDTree  # imported here: `cityloop --help` need not load scipy

    distance, index = cKDTree(coords).query(coords, k=size)
    distance = np.asarray(distance).reshape(len(coords), size)
    index = np.asarray(index).reshape(len(coords), size)
    for cell in np.flatnonzero(index[:, 0] != np.arange(len(coords))):
        # Cells sharing a point: the centre goes first so that every cell is a zone.
        others = [i for i in index[cell] if i != cell][: size - 1]
        index[cell] = [cell, *others]
        distance[cell, 0] = 0.0
    within = np.ones_like(index, dtype=bool) if max_radius is None else distance <= max_radius
    return index, within


def _log_table(total: int) -> np.ndarray:
    """f(n) = n·ln(n/N) + (N−n)·ln(1−n/N) for n = 0..N (the terms of the ratio that depend
    on n alone, with N·ln N taken out so that nothing large cancels)."""
    n = np.arange(total + 1, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        first = np.where(n > 0, n * np.log(n / total), 0.0)
        second = np.where(n < total, (total - n) * np.log1p(-n / total), 0.0)
    return first + second


def _case_dates(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    cells, days = np.nonzero(counts)
    repeat = counts[cells, days]
    return np.repeat(cells, repeat), np.repeat(days, repeat)


def scan(
    cells: Sequence[str],
    coords: np.ndarray,
    first_day: date,
    counts: np.ndarray,
    *,
    replications: int = DEFAULT_REPLICATIONS,
    max_days: int = DEFAULT_MAX_DAYS,
    max_share: float = DEFAULT_MAX_SHARE,
    max_radius: float | None = None,
    prospective: bool = False,
    max_clusters: int = DEFAULT_MAX_CLUSTERS,
    seed: int = 0,
) -> list[Cluster]:
    """The most likely cluster, then secondary clusters sharing no cell with an earlier
    one, strongest first; `counts[i, d]` is cell i's count on `first_day` + d."""
    counts = np.asarray(counts, dtype=np.int64)
    coords = np.asarray(coords, dtype=np.float64)
    if counts.ndim != 2 or counts.shape[0] != len(cells) or coords.shape != (len(cells), 2):
        raise ValueError("counts must be cells × days and coords cells × 2")
    if (counts < 0).any():
        raise ValueError("counts must not be negative")
    if counts.sum() == 0:
        raise ValueError("no cases to scan")
    if max_days < 1 or not 0 < max_share <= 1 or replications < 0:
        raise ValueError("max_days ≥ 1, 0 < max_share ≤ 1 and replications ≥ 0 are required")
    design = _Design(coords, counts, max_days, max_share, max_radius, prospective)
    found = _strongest(design, counts, max_clusters)
    if not found:
        return []
    rng = np.random.default_rng(seed)
    case_cells, case_days = _case_dates(counts)
    shape = counts.shape
    maxima = np.empty(replications)
    for r in range(replications):
        shuffled = rng.permutation(case_days)
        permuted = np.bincount(case_cells * shape[1] + shuffled, minlength=counts.size)
        maxima[r] = design.best(permuted.reshape(shape))
    clusters = []
    for candidate in found:
        # Compared as the replications computed it (float32), with a tolerance so that
        # equal ratios rounded differently still tie.
        margin = 1e-5 * max(1.0, candidate.as_replicated)
        beaten = int(np.count_nonzero(maxima >= candidate.as_replicated - margin))
        clusters.append(
            Cluster(
                cells=tuple(cells[i] for i in candidate.cells),
                start=first_day + timedelta(days=candidate.start),
                end=first_day + timedelta(days=candidate.end),
                observed=candidate.observed,
                expected=candidate.expected,
                statistic=candidate.statistic,
                p_value=(beaten + 1) / (replications + 1),
            )
        )
    return clusters


def _strongest(design: _Design, counts: np.ndarray, limit: int) -> list[_Candidate]:
    """Cylinders by falling strength, skipping any that shares a cell with one taken."""
    statistics = design.statistics(counts)
    sizes = [s.size for s in statistics]
    flat = np.concatenate([s.ravel() for s in statistics])
    positive = np.flatnonzero(flat > 0)
    order = positive[np.argsort(-flat[positive], kind="stable")]
    offsets = np.cumsum([0, *sizes])
    used = np.zeros(design.neighbours.shape[0], dtype=bool)
    found: list[_Candidate] = []
    for index in order:
        if len(found) >= limit:
            break
        which = int(np.searchsorted(offsets, index, side="right") - 1)
        windows = design.windows[which]
        centre, k, window = np.unravel_index(index - offsets[which], statistics[which].shape)
        zone = design.neighbours[centre, : k + 1]
        if used[zone].any():
            continue
        used[zone] = True
        end = windows.first_end + int(window)
        start = end - windows.length + 1
        zone_total = float(design.zone_total[centre, k])
        expected = zone_total * float(windows.window_total[window]) / design.total
        observed = int(counts[zone, start : end + 1].sum())
        exact = exact_ratio(observed, expected, design.total)
        ratio = float(flat[index])
        found.append(_Candidate(zone.tolist(), start, end, observed, expected, exact, ratio))
    return found
