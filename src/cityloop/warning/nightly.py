"""The warning run: the detectors over the analytics store, their findings saved as alerts.

Run nightly by `cityloop worker` (after the store's export) and on demand. Idempotent: the
findings of a day are keyed by fingerprint (warning.findings), so running it again, or
after a crash half-way, rewrites the same alerts; a WarningRun without `finished_at` is one
that was cut off.

- Sudden rises: per street × category, the count model ("ours", warning.countmodel) judges
  the last RECENT_DAYS days that had at least MIN_ALARM_COUNT appeals — fewer are not worth
  a supervisor's attention, whatever the model says — against up to a year before them.
  Consecutive alarm days make one alert.
- Space-time clusters: Kulldorff's prospective space-time permutation scan over every grid
  and the last SCAN_DAYS days (clusters still going on at the end), 999 replications.
- Emerging topics: phrases bursting in the last TOPIC_DAYS days against the weeks before.
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta

import numpy as np

from cityloop.appeals.models import Appeal
from cityloop.geo.models import Area
from cityloop.kernel import clock
from cityloop.warning.countmodel import BASELINE_DAYS, GUARD_DAYS, count_model
from cityloop.warning.detect import official_holidays, official_makeup_workdays
from cityloop.warning.findings import Finding, save_findings
from cityloop.warning.models import AlertKind, WarningRun
from cityloop.warning.scan import scan
from cityloop.warning.topics import emerging_topics

RISE_AREA_LEVEL = "street"
RECENT_DAYS = 14  # a rise that began up to two weeks ago keeps its first day (its fingerprint)
MIN_ALARM_COUNT = 3
RISE_ALPHA = 0.001
SCAN_DAYS = 30
SCAN_ALPHA = 0.01
SCAN_REPLICATIONS = 999
TOPIC_DAYS = 2
TOPIC_BASELINE_DAYS = 90
# -log10 of the Poisson tail: thousands of terms are tested every night, so only a
# surprise of one in a million makes an alert
TOPIC_MIN_SCORE = 6.0
# Segmenting a quarter's appeals every night would take minutes at a big city's volume: the
# baseline's term shares are estimated from a sample of this many of its appeals.
TOPIC_BASELINE_SAMPLE = 30_000
APPEALS_PER_ALERT = 200

Progress = Callable[[str], None]


def run_warnings(
    *, as_of: date | None = None, trigger: str = "on_demand", progress: Progress | None = None
) -> WarningRun:
    """Detect over the store up to `as_of` (default: yesterday, the last whole day)."""
    from cityloop.analytics import queries

    say = progress or (lambda _message: None)
    as_of = as_of or clock.today() - timedelta(days=1)
    started = time.monotonic()
    run = WarningRun.objects.create(as_of=as_of, trigger=trigger, started_at=clock.now())
    findings: list[Finding] = []
    say("sudden rises")
    findings += rise_findings(
        queries.daily_counts(
            since=as_of - timedelta(days=BASELINE_DAYS + GUARD_DAYS + RECENT_DAYS),
            until=as_of,
            area_level=RISE_AREA_LEVEL,
        ),
        as_of=as_of,
    )
    say("space-time clusters")
    findings += cluster_findings(
        queries.grid_day_counts(since=as_of - timedelta(days=SCAN_DAYS - 1), until=as_of),
        as_of=as_of,
    )
    say("emerging topics")
    findings += topic_findings(
        queries.appeal_texts(
            since=as_of - timedelta(days=TOPIC_BASELINE_DAYS + TOPIC_DAYS), until=as_of
        ),
        as_of=as_of,
    )
    say(f"saving {len(findings)} alerts")
    run.alerts_new = save_findings(_with_appeals(findings), run, clock.now())
    run.alerts_found = len(findings)
    run.finished_at = clock.now()
    run.seconds = round(time.monotonic() - started, 2)
    run.save(update_fields=["alerts_new", "alerts_found", "finished_at", "seconds"])
    return run


def rise_findings(
    rows: Iterable[tuple[int, int, date, int]], *, as_of: date, alpha: float = RISE_ALPHA
) -> list[Finding]:
    """Rows (area_id, category_id, day, count) → one finding per run of alarm days."""
    by_series: dict[tuple[int, int], dict[date, int]] = defaultdict(dict)
    first = as_of
    for area_id, category_id, day, count in rows:
        by_series[(area_id, category_id)][day] = count
        first = min(first, day)
    # the city's history starts on its first day with any appeal, not each series' own
    dates = [first + timedelta(days=n) for n in range((as_of - first).days + 1)]
    recent_from = max(0, len(dates) - RECENT_DAYS)
    holidays, workdays = official_holidays(), official_makeup_workdays()
    findings = []
    for (area_id, category_id), by_day in by_series.items():
        counts = np.array([by_day.get(day, 0) for day in dates], dtype=float)
        busy = [i for i in range(recent_from, len(dates)) if counts[i] >= MIN_ALARM_COUNT]
        if not busy:
            continue
        judged = count_model(dates, counts, holidays, alpha, workdays, only_days=busy)
        alarms = [day for day in judged if day.alarm]
        for run in _consecutive(alarms):
            findings.append(_rise(area_id, category_id, dates, counts, run))
    return findings


def _consecutive(days: list) -> list[list]:
    runs: list[list] = []
    for day in days:
        if runs and day.index == runs[-1][-1].index + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def _rise(
    area_id: int, category_id: int, dates: list[date], counts: np.ndarray, run: list
) -> Finding:
    peak = max(run, key=lambda day: counts[day.index] - day.threshold)
    tail = range(max(0, run[0].index - 27), run[-1].index + 1)
    return Finding(
        kind=AlertKind.RISE,
        method="ours",
        area_id=area_id,
        category_id=category_id,
        window_start=dates[run[0].index],
        window_end=dates[run[-1].index],
        observed=float(sum(counts[day.index] for day in run)),
        expected=round(sum(day.expected for day in run), 2),
        statistic=float(counts[peak.index]),
        threshold=float(peak.threshold),
        evidence={
            "area_level": RISE_AREA_LEVEL,
            "days": [
                {
                    "day": dates[day.index].isoformat(),
                    "count": int(counts[day.index]),
                    "expected": round(day.expected, 2),
                    "threshold": float(day.threshold),
                }
                for day in run
            ],
            "series": {dates[i].isoformat(): int(counts[i]) for i in tail},
        },
    )


def cluster_findings(
    rows: Iterable[tuple[int, date, int]],
    *,
    as_of: date,
    replications: int = SCAN_REPLICATIONS,
    alpha: float = SCAN_ALPHA,
) -> list[Finding]:
    """Rows (grid_id, day, count) of the last SCAN_DAYS days → clusters with p ≤ alpha."""
    first = as_of - timedelta(days=SCAN_DAYS - 1)
    by_grid: dict[int, dict[int, int]] = defaultdict(dict)
    for grid_id, day, count in rows:
        if first <= day <= as_of:
            by_grid[grid_id][(day - first).days] = count
    centres = _grid_centres(by_grid)
    grids = [grid for grid in by_grid if grid in centres]
    if len(grids) < 2:
        return []
    counts = np.zeros((len(grids), SCAN_DAYS), dtype=np.int64)
    for row, grid in enumerate(grids):
        for offset, count in by_grid[grid].items():
            counts[row, offset] = count
    coords = np.array([centres[grid] for grid in grids])
    clusters = scan(
        [str(grid) for grid in grids],
        coords,
        first,
        counts,
        replications=replications,
        prospective=True,
        seed=as_of.toordinal(),  # the same night gives the same p-values
    )
    return [
        Finding(
            kind=AlertKind.CLUSTER,
            method="scan",
            area_id=int(cluster.cells[0]),
            window_start=cluster.start,
            window_end=cluster.end,
            observed=float(cluster.observed),
            expected=round(cluster.expected, 2),
            statistic=round(cluster.statistic, 3),
            p_value=cluster.p_value,
            evidence={"grids": [int(cell) for cell in cluster.cells]},
        )
        for cluster in clusters
        if cluster.p_value <= alpha
    ]


def topic_findings(appeals: Iterable[tuple[int, date, str]], *, as_of: date) -> list[Finding]:
    """Rows (appeal_id, day, text) → phrases bursting in the last TOPIC_DAYS days."""
    window_start = as_of - timedelta(days=TOPIC_DAYS - 1)
    rows = list(appeals)
    baseline = [row for row in rows if row[1] < window_start]
    if len(baseline) > TOPIC_BASELINE_SAMPLE:
        kept = set(
            random.Random(as_of.toordinal()).sample(range(len(baseline)), TOPIC_BASELINE_SAMPLE)
        )
        baseline = [row for k, row in enumerate(baseline) if k in kept]
    topics = emerging_topics(
        baseline + [row for row in rows if row[1] >= window_start],
        window_start,
        as_of,
        baseline_days=TOPIC_BASELINE_DAYS,
    )
    return [
        Finding(
            kind=AlertKind.TOPIC,
            method="burst",
            topic=topic.phrase[:100],
            window_start=topic.window_start,
            window_end=topic.window_end,
            observed=float(topic.observed),
            expected=round(topic.expected, 2),
            statistic=round(topic.score, 2),
            appeal_ids=topic.appeal_ids[:APPEALS_PER_ALERT],
        )
        for topic in topics
        if topic.score >= TOPIC_MIN_SCORE
    ]


def _grid_centres(grids: Iterable[int]) -> dict[int, tuple[float, float]]:
    """The middle of each grid's bounding box, in km east and north of a common origin, so
    that "nearest" means nearest on the ground."""
    boxes = Area.objects.filter(pk__in=list(grids), min_lng__isnull=False).values_list(
        "pk", "min_lng", "max_lng", "min_lat", "max_lat"
    )
    centres = {}
    for pk, min_lng, max_lng, min_lat, max_lat in boxes:
        if min_lng is None or max_lng is None or min_lat is None or max_lat is None:
            continue
        lat = (min_lat + max_lat) / 2
        lng = (min_lng + max_lng) / 2
        centres[pk] = (lng * 111.32 * float(np.cos(np.radians(lat))), lat * 110.57)
    return centres


def _with_appeals(findings: list[Finding]) -> list[Finding]:
    """Each finding with the appeals behind it, read from the store."""
    from dataclasses import replace

    from cityloop.analytics import queries

    done = []
    for finding in findings:
        if finding.kind == AlertKind.RISE and finding.area_id is not None:
            ids = queries.appeals_in(
                area_id=finding.area_id,
                area_level=RISE_AREA_LEVEL,
                category_id=finding.category_id,
                since=finding.window_start,
                until=finding.window_end,
                limit=APPEALS_PER_ALERT,
            )
        elif finding.kind == AlertKind.CLUSTER:
            ids = []
            for grid in finding.evidence["grids"]:
                ids += queries.appeals_in(
                    area_id=grid,
                    area_level="grid",
                    category_id=None,
                    since=finding.window_start,
                    until=finding.window_end,
                    limit=APPEALS_PER_ALERT - len(ids),
                )
                if len(ids) >= APPEALS_PER_ALERT:
                    break
        else:
            ids = list(finding.appeal_ids)
        done.append(_placed(replace(finding, appeal_ids=ids)))
    return done


def _placed(finding: Finding) -> Finding:
    """A cluster's most frequent category, and a topic's too with its street when most of
    its appeals are there: what a case made from the alert needs (where, what)."""
    from dataclasses import replace

    if finding.kind == AlertKind.RISE or not finding.appeal_ids:
        return finding
    rows = list(
        Appeal.objects.filter(pk__in=finding.appeal_ids).values_list("category_id", "street_id")
    )
    categories = Counter(category for category, _ in rows if category)
    category_id, area_id = finding.category_id, finding.area_id
    if categories and category_id is None:
        category_id = categories.most_common(1)[0][0]
    streets = Counter(street for _, street in rows if street)
    if area_id is None and streets:
        street, count = streets.most_common(1)[0]
        if count * 2 > len(rows):
            area_id = street
    return replace(finding, category_id=category_id, area_id=area_id)
