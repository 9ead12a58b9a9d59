"""Memory of the gunicorn workers over a long run of intakes: a demo city, `cityloop serve`
on loopback, and wrk posting the intake scenario of `intake_http.py` (a random complaint at
a random standard address: understood, placed, dispatched, recorded) in one-minute rounds
until `--intakes` appeals were accepted. Workers are never recycled here (`--max-requests
0`): a leak shows instead of being hidden by gunicorn restarting them. After each round it
prints the appeals so far, the round's rate and every worker's resident memory (VmRSS); at
the end the verdict against the goal (every worker under `--limit-mb`).

    PYTHONPATH=src python benchmarks/worker_memory.py [--database postgresql|sqlite]
        [--intakes 100000] [--appeals 3000] [--workers 2] [--connections 8] [--limit-mb 300]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from intake_http import scripts
from wrk_harness import demo_city, descendants, dump, need_wrk, rss_mb, run_wrk, say, server

ROUND_SECONDS = 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="postgresql", choices=["postgresql", "sqlite"])
    parser.add_argument("--intakes", type=int, default=100_000)
    parser.add_argument("--appeals", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--limit-mb", type=float, default=300.0)
    args = parser.parse_args()
    need_wrk()
    rounds = []
    with demo_city(args.database, args.appeals) as city:
        intake = scripts(city, Path(city.env["CITYLOOP_DATA_DIR"]))[0]["intake POST /api/appeals"]
        with server(city, "--workers", str(args.workers), "--max-requests", "0") as (port, process):
            workers = sorted(descendants(process.pid) - {process.pid})
            start = {pid: round(rss_mb(pid), 1) for pid in workers}
            say(f"workers' RSS before the first intake (MB): {start}")
            accepted = 0
            while accepted < args.intakes:
                figures = run_wrk(
                    port, intake, seconds=ROUND_SECONDS, connections=args.connections,
                    server_pid=process.pid, database=args.database,
                )  # fmt: skip
                accepted += int(figures["requests"] - figures["non_2xx"])
                alive = sorted(descendants(process.pid) - {process.pid})
                rss = {pid: round(rss_mb(pid), 1) for pid in alive}
                rounds.append({"intakes": accepted, **figures, "worker_rss_mb": rss})
                say(
                    f"{accepted} intakes · {figures['requests_per_s']}/s · p99 "
                    f"{figures['p99_ms']} ms · non-2xx {figures['non_2xx']} · RSS MB {rss}"
                )
    largest = max(max(r["worker_rss_mb"].values()) for r in rounds)  # type: ignore[attr-defined]
    dump(
        {
            "database": args.database,
            "workers_rss_mb_at_start": start,
            "rounds": rounds,
            "largest_worker_rss_mb": largest,
            "verdict": f"every worker under {args.limit_mb} MB"
            if largest < args.limit_mb
            else f"a worker reached {largest} MB (limit {args.limit_mb})",
        }
    )


if __name__ == "__main__":
    main()
