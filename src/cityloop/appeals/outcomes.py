"""How a closed appeal ended (Outcome), decided once from its recorded history.

The citizen's latest rating since the appeal was last reopened says whether it was
resolved; a suggestion (建议) is not rated on resolution, and an appeal closed without a
rating was answered but not rated. The steps that close an appeal in their own way (a
consultation answered on the call, praise thanked, 办结未解决) name their outcome
themselves. The data migration that filled `outcome` for appeals closed before the field
existed reads the events through the same function.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cityloop.appeals.enums import NOT_RATED_ON_RESOLUTION, Outcome

# the closing steps whose outcome is the step itself
OUTCOME_OF_STEP = {
    "answer_on_call": Outcome.ANSWERED_ON_CALL,
    "thank_praise": Outcome.THANKED,
    "close_unresolved": Outcome.UNRESOLVED,
}


def latest_rating(
    steps: Iterable[tuple[str, Mapping[str, Any]]], *, since_reopen: bool = True
) -> bool | None:
    """Whether the latest rating (since the last reopen, unless `since_reopen` is False)
    said "resolved"; None: no rating. `steps` are (action, changes) of the appeal's events
    in order; an evaluation records its answers as changes (`resolved`: [before, after])."""
    resolved: bool | None = None
    for action, changes in steps:
        if action == "reopen" and since_reopen:
            resolved = None
        elif action == "evaluate":
            answer = (changes or {}).get("resolved")
            resolved = answer[1] if isinstance(answer, list | tuple) else None
    return resolved


def outcome_from_history(steps: Iterable[tuple[str, Mapping[str, Any]]], appeal_type: str) -> str:
    """The outcome of an appeal closed by the step that ends `steps`."""
    steps = list(steps)
    if steps and steps[-1][0] in OUTCOME_OF_STEP:
        return OUTCOME_OF_STEP[steps[-1][0]]
    resolved = latest_rating(steps)
    if appeal_type in NOT_RATED_ON_RESOLUTION or resolved is None:
        return Outcome.REPLIED
    return Outcome.RESOLVED if resolved else Outcome.UNRESOLVED


def history_of(appeal: Any) -> list[tuple[str, Mapping[str, Any]]]:
    return list(appeal.events.order_by("seq").values_list("action", "changes"))
