"""The same problem reported many times (same place, same kind, close in time), and a
caller's earlier appeals. Read-only: suggestions for a person, who decides to merge."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q

from cityloop.appeals.enums import OPEN_STATUSES, Status
from cityloop.appeals.models import Appeal

WINDOW = timedelta(hours=72)
THRESHOLD = 0.62
_NOISE = re.compile(r"[\s，。！？、,.!?：:；;“”\"'（）()【】0-9]")


def _shingles(text: str) -> set[str]:
    text = _NOISE.sub("", text)
    return {text[i : i + 2] for i in range(len(text) - 1)}


def text_similarity(a: str, b: str) -> float:
    first, second = _shingles(a), _shingles(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


@dataclass(frozen=True)
class DuplicateCandidate:
    tracking_code: str
    title: str
    status: str
    score: float
    reasons: list[str]

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)


def _category_affinity(a: Appeal, b: Appeal) -> tuple[float, str]:
    if a.category_id is None or b.category_id is None:
        return 0.5, ""
    if a.category_id == b.category_id:
        return 1.0, "分类相同"
    if a.category and b.category and a.category.parent_id == b.category.parent_id:
        return 0.6, "同属一个二级分类"
    return 0.0, ""


def same_problem_candidates(
    appeal: Appeal, limit: int = 5, *, open_only: bool = False
) -> list[DuplicateCandidate]:
    """Appeals that probably report the same problem as `appeal`, best first; with
    `open_only`, only those still open (a finished case is not merged into)."""
    if appeal.grid_id is None and appeal.standard_address_id is None:
        return []
    place = Q(grid_id=appeal.grid_id) if appeal.grid_id else Q()
    if appeal.standard_address_id:
        place |= Q(standard_address_id=appeal.standard_address_id)
    nearby = Appeal.objects.filter(
        place,
        received_at__gte=appeal.received_at - WINDOW,
        received_at__lte=appeal.received_at + WINDOW,
    )
    if open_only:
        nearby = nearby.filter(status__in=OPEN_STATUSES)
    nearby = (
        nearby.exclude(pk=appeal.pk).exclude(status=Status.MERGED).select_related("category")[:200]
    )
    own_text = appeal.title + appeal.content
    found = []
    for other in nearby:
        same_address = bool(appeal.standard_address_id) and (
            other.standard_address_id == appeal.standard_address_id
        )
        place_score, place_reason = (1.0, "同一标准地址") if same_address else (0.7, "同一网格")
        category_score, category_reason = _category_affinity(appeal, other)
        similarity = text_similarity(own_text, other.title + other.content)
        hours = abs((other.received_at - appeal.received_at).total_seconds()) / 3600
        score = 0.35 * place_score + 0.35 * category_score + 0.3 * min(1.0, similarity * 2.5)
        if score < THRESHOLD:
            continue
        reasons = [place_reason, f"相隔{hours:.0f}小时"]
        if category_reason:
            reasons.append(category_reason)
        if similarity >= 0.2:
            reasons.append(f"内容相似度{similarity:.2f}")
        found.append(
            DuplicateCandidate(
                other.tracking_code, other.title, other.status, round(score, 3), reasons
            )
        )
    return sorted(found, key=lambda c: -c.score)[:limit]


def normalize_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits


def caller_history(phone: str, *, exclude: str = "", limit: int = 20) -> list[Appeal]:
    """A caller's earlier appeals, newest first (the call-taker sees repeat callers)."""
    number = normalize_phone(phone)
    if len(number) < 5:
        return []
    found: list[Appeal] = []
    # one indexed, ordered, limited query per way of writing the number: an IN over the
    # variants would sort every appeal of a frequent caller
    for variant in {phone, number, f"+86{number}"}:
        found += (
            Appeal.objects.filter(caller_phone=variant)
            .exclude(tracking_code=exclude)
            .select_related("main_unit", "category")
            .order_by("-received_at")[:limit]
        )
    return sorted(found, key=lambda a: a.received_at, reverse=True)[:limit]
