"""Who may do what in proactive work (未诉先办): one definition for the services, the API and
the pages."""

from __future__ import annotations

from cityloop.access.actors import SYSTEM
from cityloop.assessment.access import ASSESSING
from cityloop.org.models import Role

# make proposals from the forecasts and the repeats (the nightly job runs as the system)
PROPOSING: frozenset[str] = frozenset({Role.SUPERVISOR, Role.ADMIN, SYSTEM})
# accept or decline a proposal (a unit its own; the centre any)
DECIDING: frozenset[str] = frozenset({Role.SUPERVISOR, Role.DISPATCHER, Role.HANDLER, Role.ADMIN})
# see the proposals: who decides them and the centre's planners
SEEING_PROPOSALS: frozenset[str] = DECIDING | {Role.ANALYST}
# choose and resolve 每月一题
CHOOSING_TOPICS: frozenset[str] = frozenset({Role.SUPERVISOR, Role.ADMIN})
# see 每月一题 and the forecasts: who assesses the units
SEEING_TOPICS: frozenset[str] = CHOOSING_TOPICS | ASSESSING
FORECASTING: frozenset[str] = ASSESSING
