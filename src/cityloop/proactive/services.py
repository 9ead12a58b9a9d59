"""未诉先办: proposals of preventive work (from forecasts, from the same problem called in again
and again at one place, from alerts), their acceptance as appeals of channel "proactive" or
their refusal, and 每月一题 chosen and resolved.

Proposing is idempotent: a proposal's fingerprint (source, place, category, month) is
unique, so proposing again updates the proposal still waiting for a decision and leaves a
decided one as it was decided. Every decision records who, when and why (the proposal's
decided_by / decided_at / decision_note; the topic's chosen_* and resolved_*).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cityloop.access.actors import Actor
from cityloop.appeals.enums import AppealType, Channel
from cityloop.appeals.models import Appeal
from cityloop.dispatch.rules import choose_unit
from cityloop.dispatch.services import dispatch
from cityloop.geo.geometry import interior_point
from cityloop.geo.models import Area, StandardAddress
from cityloop.intake.services import AppealDraft, receive_appeal
from cityloop.kernel import clock
from cityloop.kernel.errors import Conflict, DomainError, PermissionDenied, invalid_field
from cityloop.proactive.access import CHOOSING_TOPICS, DECIDING, PROPOSING
from cityloop.proactive.models import (
    MonthlyTopic,
    MonthlyTopicStatus,
    Proposal,
    ProposalSource,
    ProposalStatus,
)
from cityloop.proactive.outlook import city_outlook
from cityloop.proactive.selectors import (
    AREA_FIELDS,
    appeal_codes_at,
    monthly_counts,
    repeats_at_places,
)
from cityloop.taxonomy.models import Category
from cityloop.warning.models import Alert

# A forecast proposes work when the coming weeks average this much above the usual week...
RISE_RATIO = 1.3
# ...and that is at least this many appeals more over the horizon (not 2 instead of 1).
RISE_MIN_EXTRA = 4.0
FORECAST_HORIZON = 8
# The same problem at the same place: this many appeals within this many weeks.
RECURRING_TIMES = 3
RECURRING_WEEKS = 8
# 每月一题's "before": the monthly average of this many months before the chosen month.
BEFORE_MONTHS = 3


def _require(actor: Actor, roles: frozenset[str], message: str) -> None:
    if actor.role not in roles:
        raise PermissionDenied("role_not_allowed", message)


def check_may_decide(actor: Actor, proposal: Proposal) -> None:
    """The centre decides any proposal; a unit's staff (and its supervisors) their unit's."""
    _require(actor, DECIDING, _("您的角色无权决定主动治理建议"))
    units = actor.visible_unit_ids()
    if units is not None and proposal.unit_id not in units:
        raise PermissionDenied("proposal_not_yours", _("该建议不是本单位的，无权决定"))


def _save_proposal(fingerprint: str, fields: dict[str, Any]) -> tuple[Proposal, bool]:
    """Create the proposal, or update the one with this fingerprint while it still waits
    for a decision (a decided proposal keeps what was decided)."""
    existing = Proposal.objects.select_for_update().filter(fingerprint=fingerprint).first()
    if existing is None:
        proposal = Proposal.objects.create(
            fingerprint=fingerprint, proposed_at=clock.now(), **fields
        )
        return proposal, True
    if existing.status == ProposalStatus.PROPOSED:
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.save(update_fields=list(fields))
    return existing, False


def propose_from_forecasts(
    *, as_of: date, actor: Actor, horizon: int = FORECAST_HORIZON
) -> list[Proposal]:
    """A proposal for each district × category whose forecast for the coming weeks is well
    above its usual week, to the unit the dispatch rules make responsible, to act by the
    first week that rises."""
    _require(actor, PROPOSING, _("您的角色无权生成主动治理建议"))
    made = []
    for outlook in city_outlook(as_of=as_of, horizon=horizon):
        expected = float(outlook.forecast.mean.sum())
        usual_total = outlook.usual * horizon
        if outlook.usual <= 0 or expected < RISE_RATIO * usual_total:
            continue
        if expected - usual_total < RISE_MIN_EXTRA:
            continue
        area = Area.objects.get(pk=outlook.area_id)
        category = Category.objects.get(pk=outlook.category_id)
        rising = [
            week
            for week, mean in zip(outlook.forecast.weeks, outlook.forecast.mean, strict=True)
            if mean >= RISE_RATIO * outlook.usual
        ]
        decision = choose_unit(category, area)
        fields = {
            "source": ProposalSource.FORECAST,
            "area": area,
            "category": category,
            "unit": decision.unit,
            "title": _("%(area)s%(category)s类诉求预计增多，建议提前治理")
            % {"area": area.name, "category": category.name},
            "reason": _(
                "预测未来%(weeks)d周约%(expected).0f件，常态每周%(usual).1f件"
                "（为常态的%(ratio).0f%%）。%(dispatch)s"
            )
            % {
                "weeks": horizon,
                "expected": expected,
                "usual": outlook.usual,
                "ratio": 100 * outlook.ahead_ratio,
                "dispatch": decision.reason,
            },
            "evidence": {
                "weeks": [week.isoformat() for week in outlook.forecast.weeks],
                "mean": [round(float(v), 2) for v in outlook.forecast.mean],
                "lower": [float(v) for v in outlook.forecast.lower],
                "upper": [float(v) for v in outlook.forecast.upper],
                "usual": round(outlook.usual, 2),
                "proposed_by": actor.label,
            },
            # the week the rise begins, or today when it has begun
            "act_by": max(rising[0] if rising else outlook.forecast.weeks[0], as_of),
        }
        with transaction.atomic():
            proposal, _new = _save_proposal(
                f"forecast:{area.pk}:{category.pk}:{as_of:%Y-%m}", fields
            )
        made.append(proposal)
    return made


def propose_recurring(
    *,
    as_of: date,
    actor: Actor,
    times: int = RECURRING_TIMES,
    weeks: int = RECURRING_WEEKS,
) -> list[Proposal]:
    """A proposal for each standard address (else grid) where the same category was called
    in at least `times` times in the `weeks` weeks before `as_of`."""
    _require(actor, PROPOSING, _("您的角色无权生成主动治理建议"))
    if times < 2 or not 1 <= weeks <= 52:
        raise invalid_field("times", _("次数至少为 2，周数为 1 到 52"))
    since = as_of - timedelta(weeks=weeks)
    made = []
    for place in repeats_at_places(since=since, until=as_of + timedelta(days=1)):
        if place.n < times:
            break
        area = Area.objects.get(pk=place.area_id)
        category = Category.objects.get(pk=place.category_id)
        address = StandardAddress.objects.get(pk=place.address_id) if place.address_id else None
        where = address.full_text if address is not None else area.name
        codes = appeal_codes_at(
            area_id=area.pk,
            category_id=category.pk,
            since=since,
            until=as_of + timedelta(days=1),
        )
        decision = choose_unit(category, area)
        fields = {
            "source": ProposalSource.RECURRING,
            "area": area,
            "category": category,
            "unit": decision.unit,
            "title": _("%(place)s反复反映%(category)s问题")
            % {"place": where, "category": category.name},
            "reason": _("近%(weeks)d周同一地点同类诉求%(n)d件，建议从根源上解决。%(dispatch)s")
            % {"weeks": weeks, "n": place.n, "dispatch": decision.reason},
            "evidence": {
                "appeals": codes,
                "address": address.code if address else "",
                "proposed_by": actor.label,
            },
            "act_by": as_of + timedelta(weeks=2),
        }
        spot = f"a{address.pk}" if address else f"g{area.pk}"
        with transaction.atomic():
            proposal, _new = _save_proposal(f"recurring:{spot}:{category.pk}:{as_of:%Y-%m}", fields)
        made.append(proposal)
    return made


def _draft_for(proposal: Proposal, note: str) -> AppealDraft:
    """A proactive appeal at the proposal's place: its standard address when it has one,
    else a point inside its area (no caller: the centre itself raises it)."""
    address_code = str(proposal.evidence.get("address", "")) if proposal.evidence else ""
    lat = lng = None
    if not address_code and proposal.area.polygon:
        lng, lat = interior_point(proposal.area.polygon)
    content = proposal.reason
    if note:
        content += "\n" + _("采纳说明：%(note)s") % {"note": note}
    return AppealDraft(
        channel=Channel.PROACTIVE,
        title=proposal.title,
        content=content[:5000],
        standard_address_code=address_code,
        lat=lat,
        lng=lng,
        category_code=proposal.category.code,
        # work to be done, not a complaint: never typed from the proposal's words
        appeal_type=AppealType.HELP,
    )


@transaction.atomic
def accept(proposal: Proposal, *, actor: Actor, note: str = "") -> Proposal:
    """采纳: the proposal becomes an appeal of channel "proactive", received by the system
    on the centre's behalf (no citizen called) and dispatched to the proposal's unit (or
    left to a dispatcher when no unit is responsible), then linked to the proposal."""
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    check_may_decide(actor, locked)
    if locked.status != ProposalStatus.PROPOSED:
        raise Conflict(
            "proposal_decided", _("该建议已处理：%(status)s"), status=locked.get_status_display()
        )
    if len(note) > 2000:
        raise invalid_field("note", _("说明不能超过 2000 字"))
    system = Actor.system()
    appeal = receive_appeal(_draft_for(locked, note.strip()), actor=system, auto_dispatch=False)
    if locked.unit is not None:
        why = _("主动治理建议由%(who)s采纳，派%(unit)s办理") % {
            "who": actor.label,
            "unit": locked.unit.name,
        }
        dispatch(appeal.tracking_code, actor=system, unit_code=locked.unit.code, reason=why)
    locked.status = ProposalStatus.ACCEPTED
    locked.decided_by = actor.user
    locked.decided_at = clock.now()
    locked.decision_note = note.strip()
    locked.appeal = Appeal.objects.get(pk=appeal.pk)
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "appeal"])
    return locked


@transaction.atomic
def decline(proposal: Proposal, *, actor: Actor, reason: str) -> Proposal:
    """不采纳, with the reason (required)."""
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    check_may_decide(actor, locked)
    if not reason.strip():
        raise invalid_field("reason", _("请填写不采纳的理由"))
    if len(reason) > 2000:
        raise invalid_field("reason", _("理由不能超过 2000 字"))
    if locked.status != ProposalStatus.PROPOSED:
        raise Conflict(
            "proposal_decided", _("该建议已处理：%(status)s"), status=locked.get_status_display()
        )
    locked.status = ProposalStatus.DECLINED
    locked.decided_by = actor.user
    locked.decided_at = clock.now()
    locked.decision_note = reason.strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return locked


@transaction.atomic
def respond_to_alert(alert: Alert, *, actor: Actor, note: str) -> Proposal:
    """响应: an alert turned into a proactive case at once — a proposal made from it and
    accepted by `actor`, and the alert marked responded with the appeal by
    warning.services (which decides who may and from which status), all or nothing."""
    from cityloop.warning.services import mark_responded

    if not note.strip():
        raise invalid_field("note", _("请填写响应说明"))
    if alert.area is None or alert.category is None:
        raise DomainError("alert_without_place", _("该预警没有地点或分类，无法转为工单"))
    decision = choose_unit(alert.category, alert.area)
    fields = {
        "source": ProposalSource.ALERT,
        "area": alert.area,
        "category": alert.category,
        "unit": decision.unit,
        "alert": alert,
        "title": _("预警响应：%(area)s%(category)s")
        % {"area": alert.area.name, "category": alert.category.name},
        "reason": _("%(start)s至%(end)s实际%(observed).0f件，预期%(expected).1f件。%(dispatch)s")
        % {
            "start": alert.window_start,
            "end": alert.window_end,
            "observed": alert.observed,
            "expected": alert.expected,
            "dispatch": decision.reason,
        },
        "evidence": {"alert": alert.pk, "proposed_by": actor.label},
        "act_by": clock.today(),
    }
    proposal, _new = _save_proposal(f"alert:{alert.pk}", fields)
    accepted = accept(proposal, actor=actor, note=note)
    assert accepted.appeal is not None  # accepting makes the appeal
    mark_responded(alert.pk, actor=actor, appeal=accepted.appeal, reason=note.strip())
    return accepted


# -- 每月一题 ---------------------------------------------------------------------------------


def choose(
    month: date,
    category: Category,
    area: Area,
    *,
    actor: Actor,
    title: str,
    reason: str = "",
) -> MonthlyTopic:
    """Choose a problem (category × area) as one of the month's topics."""
    _require(actor, CHOOSING_TOPICS, _("您的角色无权选定每月一题"))
    if not title.strip():
        raise invalid_field("title", _("请填写题目"))
    if len(title) > 200 or len(reason) > 2000:
        raise invalid_field("title", _("题目不能超过 200 字，理由不能超过 2000 字"))
    if area.level not in AREA_FIELDS:
        raise invalid_field("area", _("每月一题的地区须为区、街道或网格"))
    month = clock.first_of_month(month)
    before = monthly_counts(
        first_month=clock.add_months(month, -BEFORE_MONTHS),
        last_month=clock.add_months(month, -1),
        area_level=area.level,
        category_level=category.level,
        only=(area.pk, category.pk),
    ).counts.get((area.pk, category.pk), [0])
    try:
        with transaction.atomic():
            return MonthlyTopic.objects.create(
                month=month,
                category=category,
                area=area,
                title=title.strip(),
                reason=reason.strip(),
                chosen_by=actor.user,
                chosen_at=clock.now(),
                volume_before=round(sum(before) / BEFORE_MONTHS),
            )
    except IntegrityError:
        raise Conflict("topic_exists", _("本月已选定该题目")) from None


@transaction.atomic
def resolve(topic: MonthlyTopic, *, actor: Actor, note: str) -> MonthlyTopic:
    """Mark a topic resolved, saying what was done (required)."""
    _require(actor, CHOOSING_TOPICS, _("您的角色无权办结每月一题"))
    if not note.strip():
        raise invalid_field("note", _("请填写解决情况"))
    if len(note) > 2000:
        raise invalid_field("note", _("说明不能超过 2000 字"))
    locked = MonthlyTopic.objects.select_for_update().get(pk=topic.pk)
    if locked.status == MonthlyTopicStatus.RESOLVED:
        raise Conflict("topic_resolved", _("该题目已解决"))
    locked.status = MonthlyTopicStatus.RESOLVED
    locked.resolved_by = actor.user
    locked.resolved_at = clock.now()
    locked.resolution_note = note.strip()
    locked.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_note"])
    return locked


def choose_by_ids(
    month: date, *, area_id: int, category_id: int, actor: Actor, title: str, reason: str = ""
) -> MonthlyTopic:
    """`choose` for a form or an API body that names the area and category by id."""
    area = Area.objects.filter(pk=area_id).first()
    if area is None:
        raise invalid_field("area", _("地区不存在：%(value)s"), value=area_id)
    category = Category.objects.filter(pk=category_id, is_active=True).first()
    if category is None:
        raise invalid_field("category", _("分类不存在：%(value)s"), value=category_id)
    return choose(month, category, area, actor=actor, title=title, reason=reason)
