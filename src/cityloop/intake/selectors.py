"""What the console shows while the call-taker types: the machine's reading of the text so
far (category with the unit the rules would pick, urgency, matched address) and the open
appeals that may be the same problem; and the caller's earlier appeals."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cityloop.access.actors import Actor
from cityloop.appeals.enums import OPEN_STATUSES
from cityloop.appeals.models import Appeal
from cityloop.appeals.scope import only_visible
from cityloop.classify.models import Stage, Suggestion
from cityloop.dispatch.rules import decisions_for
from cityloop.geo.models import StandardAddress
from cityloop.intake.duplicates import caller_history, same_problem_candidates
from cityloop.intake.understanding import understand
from cityloop.kernel import clock
from cityloop.taxonomy.models import Category
from cityloop.taxonomy.services import PATH_SEPARATOR

# Fewer characters say nothing yet: the fragment stays empty.
MIN_TEXT = 4


def call_hints(
    address_text: str, content: str, actor: Actor, *, include_closed: bool = False
) -> dict[str, Any]:
    """The fragment's figures. Nearby appeals already finished are left out unless the
    call-taker asks (含已办结): a new call is merged only into a case still open."""
    text = f"{address_text} {content}".strip()
    if len(text) < MIN_TEXT:
        return {"empty": True}
    found = understand(text, want_category=True, want_address=True)
    address = None
    if found.address is not None:
        address = StandardAddress.objects.select_related("grid").get(code=found.address.code)
    levels = found.suggestion.levels() if found.suggestion else []
    top = [r for r, _level in levels]
    grid = address.grid if address else None
    decisions = decisions_for([r.code for r in top], grid)
    # an unsaved appeal as it would be received, to look for the same problem nearby
    probe = Appeal(
        title="",
        content=text,
        received_at=clock.now(),
        grid=grid,
        standard_address=address,
        category=Category.objects.filter(code=top[0].code).first() if top else None,
    )
    return {
        "suggestion": found.suggestion,
        "ranked": [(r, level, getattr(decisions.get(r.code), "unit", None)) for r, level in levels],
        "urgency_reasons": found.urgency_reasons,
        "address": address,
        "address_match": found.address,
        "address_tried": found.address_tried,
        "duplicates": only_visible(
            actor, same_problem_candidates(probe, open_only=not include_closed)
        )
        if address
        else [],
        "include_closed": include_closed,
    }


def caller_appeals(phone: str, actor: Actor) -> dict[str, list[Appeal]]:
    """The caller's last ten appeals this actor may see, and which of them are still open."""
    earlier = only_visible(actor, caller_history(phone, limit=10))
    return {"earlier": earlier, "open_ones": [a for a in earlier if a.status in OPEN_STATUSES]}


@dataclass(frozen=True)
class SecondOpinionView:
    """The second stage's best category for an appeal, as the pages show it."""

    path: str
    code: str
    percent: int
    model: str
    # the appeal has a category now, and it is not (under) the one the second stage proposes
    disagrees: bool


def second_opinions(appeals: Iterable[Appeal]) -> dict[int, SecondOpinionView]:
    """The latest second opinion of each appeal that has one, by appeal id (one query)."""
    by_id = {a.pk: a for a in appeals}
    found: dict[int, SecondOpinionView] = {}
    rows = (
        Suggestion.objects.filter(appeal_id__in=list(by_id), stage=Stage.SECOND)
        .select_related("model")
        .order_by("appeal_id", "-created_at")
    )
    for row in rows:
        if row.appeal_id in found or not row.ranked:
            continue
        top = row.ranked[0]
        appeal = by_id[row.appeal_id]
        current = appeal.category.path if appeal.category_id and appeal.category else ""
        path = str(top.get("path", ""))
        agrees = current == path or current.startswith(path + PATH_SEPARATOR)
        found[row.appeal_id] = SecondOpinionView(
            path=path,
            code=str(top.get("code", "")),
            percent=round(float(top.get("confidence", 0)) * 100),
            model=row.model.name,
            disagrees=bool(current) and not agrees,
        )
    return found
