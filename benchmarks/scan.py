"""The space-time permutation scan (cityloop.warning.scan) at the demo city's size.

Builds the demo city's grids (seed 12345; their centres as coordinates), a month of daily
counts drawn at random around a citywide daily volume, and one injected cluster (a grid and
its nearest neighbours, more cases on the last days). Prints, for the retrospective scan
(windows ending on any day) and the prospective one (windows ending on the last day): the
time for grids × days × replications and whether the injected cluster came out first.

    PYTHONPATH=src python benchmarks/scan.py [--replications 999] [--days 30] [--per-day 2000]
"""

from __future__ import annotations

import argparse
import time
from datetime import date

import numpy as np

from cityloop.demo.geography import build_city
from cityloop.warning.scan import DEFAULT_MAX_DAYS, DEFAULT_MAX_SHARE, scan


def demo_grids(seed: int) -> tuple[list[str], np.ndarray]:
    grids = [a for a in build_city(seed).areas if a.level == "grid"]
    centres = np.array([np.mean(np.array(a.polygon[:-1]), axis=0) for a in grids])
    return [a.code for a in grids], centres


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replications", type=int, default=999)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--per-day", type=int, default=2000, help="cases a day, citywide")
    parser.add_argument("--cluster-cells", type=int, default=6)
    parser.add_argument("--cluster-days", type=int, default=3)
    parser.add_argument("--extra", type=int, default=3, help="extra cases a cell a day")
    parser.add_argument("--max-share", type=float, default=DEFAULT_MAX_SHARE)
    parser.add_argument("--max-days", type=int, default=DEFAULT_MAX_DAYS)
    parser.add_argument("--seed", type=int, default=12345)
    args = parser.parse_args()

    names, coords = demo_grids(args.seed)
    rng = np.random.default_rng(args.seed)
    counts = rng.poisson(args.per_day / len(names), size=(len(names), args.days))
    centre = int(rng.integers(len(names)))
    nearest = np.argsort(np.linalg.norm(coords - coords[centre], axis=1), kind="stable")
    injected = {names[i] for i in nearest[: args.cluster_cells]}
    counts[nearest[: args.cluster_cells], -args.cluster_days :] += args.extra
    print(
        f"{len(names)} grids × {args.days} days × {args.replications} replications, "
        f"{int(counts.sum())} cases; max share {args.max_share} "
        f"({max(1, int(args.max_share * len(names)))} grids), max {args.max_days} days; "
        f"injected: {len(injected)} grids × last {args.cluster_days} days, +{args.extra}/grid/day"
    )
    for prospective in (False, True):
        started = time.perf_counter()
        found = scan(
            names,
            coords,
            date(2026, 1, 1),
            counts,
            replications=args.replications,
            max_days=args.max_days,
            max_share=args.max_share,
            prospective=prospective,
            seed=args.seed,
        )
        took = time.perf_counter() - started
        top = found[0]
        shared = len(injected & set(top.cells)) / len(injected | set(top.cells))
        print(
            f"{'prospective  ' if prospective else 'retrospective'}: {took:7.1f} s "
            f"({took / max(1, args.replications) * 1000:.1f} ms a replication); "
            f"top cluster {len(top.cells)} grids {top.start}..{top.end}, "
            f"observed {top.observed} vs expected {top.expected:.1f}, p = {top.p_value:.4f}, "
            f"overlap with the injected grids (Jaccard) {shared:.2f}; "
            f"{len(found) - 1} secondary clusters, "
            f"{sum(c.p_value < 0.05 for c in found[1:])} of them with p < 0.05"
        )


if __name__ == "__main__":
    main()
