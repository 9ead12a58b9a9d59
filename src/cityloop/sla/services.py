"""Choosing the deadline policy for an appeal and computing its deadlines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cityloop.kernel.cache import config_cache
from cityloop.sla.calendar import add_duration
from cityloop.sla.models import SlaPolicy
from cityloop.taxonomy.models import Category


@dataclass(frozen=True)
class Deadlines:
    policy: SlaPolicy
    sign_due_at: datetime
    sign_warn_at: datetime
    reply_due_at: datetime
    warn_at: datetime


@config_cache
def _active_policies() -> list[SlaPolicy]:
    return list(SlaPolicy.objects.filter(is_active=True))


def choose_policy(category: Category | None, urgency: str, is_complex: bool) -> SlaPolicy:
    lineage = category.lineage_ids() if category else []
    best: tuple[int, int, int] | None = None
    chosen: SlaPolicy | None = None
    for policy in _active_policies():
        if policy.urgency and policy.urgency != urgency:
            continue
        if policy.is_complex is not None and policy.is_complex != is_complex:
            continue
        if policy.category_id is not None and policy.category_id not in lineage:
            continue
        depth = len(lineage) - lineage.index(policy.category_id) if policy.category_id else 0
        rank = (policy.priority, depth, -policy.pk)
        if best is None or rank > best:
            best, chosen = rank, policy
    if chosen is None:
        raise SlaPolicy.DoesNotExist("no active SLA policy matches; add a default policy")
    return chosen


def deadlines_for(
    category: Category | None,
    urgency: str,
    is_complex: bool,
    *,
    received_at: datetime,
    dispatched_at: datetime,
) -> Deadlines:
    policy = choose_policy(category, urgency, is_complex)
    reply_due = add_duration(received_at, policy.reply_within, policy.reply_unit)
    sign_due = add_duration(dispatched_at, policy.sign_within, policy.sign_unit)
    return Deadlines(
        policy,
        sign_due,
        warn_before(sign_due, dispatched_at, policy),
        reply_due,
        warn_before(reply_due, received_at, policy),
    )


def warn_before(due: datetime, start: datetime, policy: SlaPolicy) -> datetime:
    """The warning comes when the policy's share of the time allowed is left."""
    return due - (due - start) * policy.warn_before_percent / 100
