"""The shapes of assessment's API: what its routes take and give."""

from __future__ import annotations

from ninja import Field, Schema


class UnitScoreOut(Schema):
    """One unit's row of the month's ranking. Units with at least the minimum of valid
    callbacks come first, ranked by `ranking_score` (`ranked` true, `rank` from 1); then
    the units with fewer (样本不足: `ranked` false, `rank` 0), most callbacks first.
    `composite` is the plain composite of the rates; `ranking_score` the same made of their
    Wilson lower bounds (95 %), which the ranking orders by."""

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
    ranked: bool = Field(description="at least the minimum of valid callbacks: ranked")
    satisfied_points: float = Field(description="satisfied + weight × basically satisfied")
    response_lower: float = Field(description="Wilson lower bound (95 %) of response_rate")
    resolution_lower: float | None = Field(
        description="Wilson lower bound (95 %) of resolution_rate"
    )
    satisfaction_lower: float = Field(description="Wilson lower bound (95 %) of satisfaction_rate")
    ranking_score: float = Field(description="100 × Σ weight × lower bound; ranks the units")
    response_label: str = Field(description="response rate with its count: 92.3 %（120/130）")
    resolution_label: str = Field(description="resolution rate with its count")
    satisfaction_label: str = Field(description="satisfaction rate with its weighted count")
    outcomes: dict[str, int] = Field(
        description="how the unit's appeals closed in the month ended, by outcome"
    )
