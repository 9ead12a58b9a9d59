"""The shapes of assessment's API: what its routes take and give."""

from __future__ import annotations

from ninja import Schema


class UnitScoreOut(Schema):
    rank: int
    unit_code: str
    unit_name: str
    unit_kind: str
    valid: int
    contacted: int
    rated_on_resolution: int
    resolved: int
    satisfied: int
    basically_satisfied: int
    response_rate: float
    resolution_rate: float | None
    satisfaction_rate: float
    composite: float
    outcomes: dict[str, int]
