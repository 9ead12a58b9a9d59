"""The demo city's proactive proposals (未诉先办), made once its history is written, so a
newcomer finds the proposals page alive: from the forecasts and from the problems called in
again and again at one place (the demo's incidents)."""

from __future__ import annotations

from datetime import date, timedelta

from cityloop.access.actors import Actor
from cityloop.proactive.services import propose_from_forecasts, propose_recurring


def propose_for_demo(end: date) -> dict[str, int]:
    system = Actor.system()
    # the forecasts see the complete weeks up to the history's last day
    from_forecasts = propose_from_forecasts(as_of=end + timedelta(days=1), actor=system)
    recurring = propose_recurring(as_of=end, actor=system)
    return {"proposals": len(from_forecasts) + len(recurring)}
