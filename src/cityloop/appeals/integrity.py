"""Does every appeal's record agree with the appeal? The invariants the single write path
(appeals.services.core.apply, with appeals.events.record_event) keeps, checked over the
whole database — after a crash, a restore or a bulk load; `cityloop check` runs it.

For every appeal:
- its events' `seq` run 1..appeal.version, no gap, no duplicate: every change bumps the
  version by one and records the event with the new version as its seq (record_event);
- the first event starts from no status (受理), each next event starts from the status the
  previous one ended in (apply records the status it found under the row lock), and the
  last one ends in the appeal's status — actions that keep the status (transition target
  None) record from == to, so they fit the same chain;
- closed_at is set exactly when the appeal is closed (close, close_unresolved,
  answer_on_call and thank_praise set it, reopen clears it);
- dispatched_at is unset while the appeal is received and never dispatched, and set once a
  unit holds or has answered it;
- merged_into is set exactly when the appeal is merged.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from cityloop.appeals.enums import Status
from cityloop.appeals.models import Appeal, AppealEvent
from cityloop.appeals.partitions import orphans

# Statuses reached only through a dispatch (派单, 改派 or 重新办理), which sets dispatched_at.
DISPATCHED_STATUSES = frozenset(
    {
        Status.DISPATCHED,
        Status.SIGNED,
        Status.IN_PROGRESS,
        Status.DEFERRED,
        Status.REPLY_REVIEW,
        Status.REPLIED,
        Status.EVALUATED,
    }
)
CHUNK = 2000  # appeals read per round trip: memory stays flat on a city's whole history

_APPEAL_FIELDS = (
    *("pk", "tracking_code", "status", "version"),
    *("dispatched_at", "closed_at", "merged_into_id"),
)
_EVENT_FIELDS = ("appeal_id", "seq", "action", "from_status", "to_status")


@dataclass(frozen=True)
class Problem:
    tracking_code: str
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.tracking_code}: {self.rule}: {self.detail}"


@dataclass(frozen=True)
class Summary:
    appeals: int
    events: int
    problems: list[Problem]


def check_integrity() -> list[Problem]:
    """Every broken invariant of every appeal (empty when the record is consistent)."""
    return check_all().problems


def check_all() -> Summary:
    appeals = events = 0
    problems: list[Problem] = []
    for chunk in _appeal_chunks():
        by_appeal: dict[int, list[dict[str, Any]]] = {row["pk"]: [] for row in chunk}
        rows = AppealEvent.objects.filter(appeal_id__in=list(by_appeal)).order_by(
            "appeal_id", "seq", "pk"
        )
        for event in rows.values(*_EVENT_FIELDS):
            by_appeal[event["appeal_id"]].append(event)
            events += 1
        for appeal in chunk:
            problems.extend(appeal_problems(appeal, by_appeal[appeal["pk"]]))
        appeals += len(chunk)
    # rows pointing at an appeal or event that is not there: on PostgreSQL no foreign key
    # guards them (the tables are partitioned by month, decision 0014)
    for link, count in orphans().items():
        if count:
            problems.append(Problem("-", "orphan_rows", f"{link}: {count}"))
    return Summary(appeals, events, problems)


def _appeal_chunks() -> Iterator[list[dict[str, Any]]]:
    last = 0
    while True:
        chunk = list(
            Appeal.objects.filter(pk__gt=last).order_by("pk").values(*_APPEAL_FIELDS)[:CHUNK]
        )
        if not chunk:
            return
        yield chunk
        last = chunk[-1]["pk"]


def appeal_problems(appeal: dict[str, Any], events: list[dict[str, Any]]) -> list[Problem]:
    """The broken invariants of one appeal, given its events in seq order."""
    code = appeal["tracking_code"]
    found: list[Problem] = []

    def problem(rule: str, detail: str) -> None:
        found.append(Problem(code, rule, detail))

    seqs = [event["seq"] for event in events]
    if seqs != list(range(1, appeal["version"] + 1)):
        problem("seq", f"events' seq {_runs(seqs)} but version {appeal['version']}")
    if not events:
        problem("events", "no event recorded")
    else:
        if events[0]["from_status"] != "":
            problem("chain", f"first event {events[0]['action']} starts from a status")
        for before, after in pairwise(events):
            if after["from_status"] != before["to_status"]:
                problem(
                    "chain",
                    f"seq {after['seq']} {after['action']} starts from "
                    f"{after['from_status']!r}, seq {before['seq']} ended in "
                    f"{before['to_status']!r}",
                )
        if events[-1]["to_status"] != appeal["status"]:
            problem(
                "status",
                f"last event {events[-1]['action']} ends in {events[-1]['to_status']!r}, "
                f"appeal is {appeal['status']!r}",
            )
    status = appeal["status"]
    if (appeal["closed_at"] is not None) != (status == Status.CLOSED):
        problem("closed_at", f"closed_at {appeal['closed_at']} with status {status!r}")
    if status == Status.RECEIVED and appeal["dispatched_at"] is not None:
        problem("dispatched_at", "dispatched_at set, status received")
    if status in DISPATCHED_STATUSES and appeal["dispatched_at"] is None:
        problem("dispatched_at", f"dispatched_at unset, status {status!r}")
    if (appeal["merged_into_id"] is not None) != (status == Status.MERGED):
        problem("merged_into", f"merged_into {appeal['merged_into_id']} with status {status!r}")
    return found


def _runs(seqs: list[int]) -> str:
    """1..5,5,7 — a short picture of a seq list for the message."""
    if not seqs:
        return "none"
    parts: list[str] = []
    start = prev = seqs[0]
    for seq in [*seqs[1:], None]:
        if seq is not None and seq == prev + 1:
            prev = seq
            continue
        parts.append(str(start) if start == prev else f"{start}..{prev}")
        if seq is not None:
            start = prev = seq
    return ",".join(parts)
