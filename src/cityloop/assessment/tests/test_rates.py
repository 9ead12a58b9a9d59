"""The three rates, the composite score, the ranking and 剔除."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cityloop.access.actors import Actor
from cityloop.assessment.rates import monthly_ranking
from cityloop.evaluate.models import AssessmentSettings
from cityloop.evaluate.services import decide_exclusion, record_callback, request_exclusion
from cityloop.kernel import clock
from cityloop.kernel.errors import DomainError
from cityloop.testing import rank_from


def rate(city, street, contacted, resolved, satisfaction):
    appeal = city.replied(street=street)
    record_callback(
        appeal.tracking_code,
        actor=city.actor("calltaker"),
        contacted=contacted,
        resolved=resolved,
        satisfaction=satisfaction,
    )
    return appeal


def test_three_rates_composite_and_ranking(city):
    rank_from(1)
    rate(city, 0, True, True, "satisfied")
    rate(city, 0, True, False, "basically_satisfied")
    rate(city, 0, False, False, "dissatisfied")
    rate(city, 1, True, True, "satisfied")
    unreached = city.replied(street=1)
    record_callback(
        unreached.tracking_code, actor=city.actor("calltaker"), reached=False, comment="三次未接通"
    )

    ranking = monthly_ranking(clock.this_month()).ranked
    assert [s.unit_name for s in ranking] == ["朝外街道办事处", "建外街道办事处"]
    second = ranking[1]
    assert (second.valid, second.contacted, second.resolved) == (3, 2, 1)
    assert second.response_rate == pytest.approx(2 / 3, abs=1e-4)
    assert second.resolution_rate == pytest.approx(1 / 3, abs=1e-4)
    assert second.satisfaction_rate == pytest.approx((1 + 0.8) / 3, abs=1e-4)
    assert second.composite == pytest.approx(
        100 * (0.2 * 2 / 3 + 0.4 * 1 / 3 + 0.4 * 1.8 / 3), abs=0.01
    )
    assert ranking[0].valid == 1, "an unreached citizen is not a valid callback"

    settings = AssessmentSettings.current()
    settings.basically_satisfied_weight = Decimal("0.5")
    settings.save()
    assert monthly_ranking(clock.this_month()).ranked[1].satisfaction_rate == pytest.approx(
        1.5 / 3, abs=1e-4
    )


def test_approved_exclusion_leaves_the_assessment(city):
    kept = rate(city, 0, True, True, "satisfied")
    unfair = rate(city, 0, True, False, "dissatisfied")
    assert kept
    request_exclusion(
        unfair.tracking_code,
        actor=city.actor("handler1"),
        reason="诉求人要求违反法律规定，无法满足",
    )
    assert monthly_ranking(clock.this_month()).rows[0].valid == 2, "pending: still counted"
    with pytest.raises(DomainError):
        decide_exclusion(unfair.tracking_code, actor=city.actor("handler1"), approve=True)
    decide_exclusion(unfair.tracking_code, actor=city.actor("supervisor"), approve=True)
    score = monthly_ranking(clock.this_month()).rows[0]
    assert (score.valid, score.resolution_rate) == (1, 1.0)
    assert unfair.events.filter(action="decide_exclusion").exists()


def test_callback_needs_every_answer(city):
    appeal = city.replied(street=0)
    with pytest.raises(DomainError) as missing:
        record_callback(
            appeal.tracking_code,
            actor=Actor.citizen(),
            contacted=True,
            resolved=None,
            satisfaction="satisfied",
        )
    assert missing.value.code == "answers_required"
    with pytest.raises(DomainError):
        record_callback(
            appeal.tracking_code,
            actor=Actor.citizen(),
            contacted=True,
            resolved=True,
            satisfaction="great",
        )
    appeal.refresh_from_db()
    assert appeal.status == "replied"
