"""One simulated appeal life for the demo history, as plain dicts ready for bulk insert.

The simulation writes the same actions in the same order as the services, but in memory,
so the history of a million appeals is written in minutes. Every step is checked against
the transition table (action, from status, role) and lands on the status the table names,
so the demo cannot record a history the services would refuse. Steps that would lie in
the future are not taken: recent appeals stay open."""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from cityloop.access.actors import CITIZEN, SYSTEM
from cityloop.appeals.assignments import change_record
from cityloop.appeals.enums import AssignmentRole, AssignmentStatus, Channel, Outcome, Status
from cityloop.appeals.transitions import check
from cityloop.demo import texts
from cityloop.demo.geography import AddressLayout
from cityloop.demo.rhythm import local_moment
from cityloop.org.models import Role
from cityloop.sla.models import Urgency
from cityloop.sla.services import warn_before

# The channels citizens call through. A grid worker's finds and a device's alarms have no
# citizen behind them (appeals.enums.NO_CALLER_CHANNELS): they come from the patrol and the
# sensor modules, not from this history. A hundred entries, as before they were moved out,
# so a seed draws the same history.
CHANNELS = [Channel.PHONE] * 78 + [Channel.WEB] * 18 + [Channel.API] * 4
SATISFACTION = ["satisfied", "basically_satisfied", "dissatisfied"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文"


@dataclass
class Life:
    fields: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    assignments: list[dict[str, Any]] = field(default_factory=list)
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    supervision: list[dict[str, Any]] = field(default_factory=list)
    truth: dict[str, Any] = field(default_factory=dict)


# Who takes each simulated step, as the timeline names them; a unit's staff are named with
# their unit (HANDLER).
ACTORS = {
    "系统": SYSTEM,
    "市民": CITIZEN,
    "话务员": Role.CALL_TAKER,
    "回访员": Role.CALL_TAKER,
    "派单员": Role.DISPATCHER,
    "督办员": Role.SUPERVISOR,
}
HANDLER = "承办人员（{unit}）"


def role_of(actor_name: str) -> str:
    """The role of the simulated actor with this name ("" for a name the demo never uses)."""
    if actor_name in ACTORS:
        return ACTORS[actor_name]
    prefix = HANDLER.split("{")[0]
    return Role.HANDLER if actor_name.startswith(prefix) else ""


SEND_BACK_REASON = "经核实，该诉求不属于本单位职责范围，建议改派"


def _held(unit: Any, before: str, after: str) -> dict[str, Any]:
    """The event's record of the main unit's assignment changing, as the services write it
    (appeals.assignments)."""
    return {"assignments": [None, [change_record(unit, AssignmentRole.MAIN, before, after)]]}


class Cutoff(Exception):
    """The next step would happen after the present: the appeal stays where it is."""


class Recorder:
    def __init__(self, life: Life, now: datetime) -> None:
        self.life, self.now = life, now

    def step(
        self,
        action: str,
        at: datetime,
        actor: str,
        unit_pk: int | None,
        *,
        reason: str = "",
        changes: dict[str, Any] | None = None,
    ) -> None:
        if self.life.events:
            at = max(at, self.life.events[-1]["at"])
        if at > self.now:
            raise Cutoff
        fields = self.life.fields
        before = fields["status"]
        transition = check(action, before, role_of(actor), reason)
        if transition.target is not None:
            fields["status"] = transition.target
        fields["version"] += 1
        self.life.events.append(
            {
                "seq": fields["version"],
                "action": action,
                "at": at,
                "actor_name": actor,
                "actor_unit_id": unit_pk,
                "from_status": before if action != "receive" else "",
                "to_status": fields["status"],
                "reason": reason,
                "changes": changes or {},
            }
        )


def _citizen(citizen: int) -> tuple[str, str]:
    rng = random.Random(citizen)
    name = (
        rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    )
    phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
    return name, phone


def simulate_life(
    writer: Any,
    rng: random.Random,
    day: date,
    profile: Any,
    address: tuple[int, AddressLayout],
    incident: Any,
    group: int | None,
    citizen: int,
) -> Life:
    address_pk, place = address
    received = local_moment(day, rng)
    if received > writer.now:  # today's appeals come in up to the present moment
        received = writer.now - timedelta(minutes=rng.uniform(1, 180))
    # only a profile with emergency texts makes emergencies, so the truth is in the text
    emergency = bool(profile.emergency_contents) and rng.random() < profile.emergency_share
    complex_ = not emergency and rng.random() < profile.complex_share
    title, content = texts.compose_appeal(rng, profile, place, emergency)
    name, phone = _citizen(citizen)
    category_id = writer.categories[tuple(profile.path)]
    street_id = writer.area_ids[place.street_code]
    district_id = writer.area_ids[place.district_code]
    channel = rng.choice(CHANNELS)
    urgency = Urgency.EMERGENCY if emergency else Urgency.NORMAL
    life = Life(
        fields={
            "tracking_code": writer._code(received),
            "channel": channel,
            "status": Status.RECEIVED,
            "version": 0,
            "title": title,
            "content": content,
            "caller_name": name,
            "caller_phone": phone,
            "address_text": place.full_text,
            "lat": place.lat,
            "lng": place.lng,
            "standard_address_id": address_pk,
            "grid_id": writer.area_ids[place.grid_code],
            "street_id": street_id,
            "district_id": district_id,
            "category_id": category_id,
            "urgency": urgency,
            "is_complex": complex_,
            "received_at": received,
        }
    )
    life.truth = {
        "incident_id": incident.pk if incident else None,
        "duplicate_group": group,
        "citizen_key": phone,
        "category_id": category_id,
        "is_emergency": emergency,
    }
    record = Recorder(life, writer.now)
    intake_actor = "市民" if channel in (Channel.WEB, Channel.API) else "话务员"
    record.step(
        "receive",
        received,
        intake_actor,
        None,
        changes={"channel": ["", channel]},
    )
    with contextlib.suppress(Cutoff):
        _handle(
            writer,
            rng,
            life,
            record,
            profile,
            category_id,
            street_id,
            district_id,
            urgency,
            complex_,
            received,
        )
    return life


def _handle(
    writer: Any,
    rng: random.Random,
    life: Life,
    record: Recorder,
    profile: Any,
    category_id: int,
    street_id: int,
    district_id: int,
    urgency: str,
    complex_: bool,
    received: datetime,
) -> None:
    fields = life.fields
    emergency = urgency == Urgency.EMERGENCY
    policy = writer.policy(category_id, urgency, complex_)
    unit, reason = writer.units.choose(category_id, street_id, district_id)
    quality = writer._unit_quality(unit)
    dispatched = received + timedelta(
        minutes=rng.uniform(2, 10) if emergency else rng.uniform(5, 90)
    )
    reply_due = writer.deadline(received, policy.reply_within, policy.reply_unit)
    allowance = reply_due - received
    warn_at = warn_before(reply_due, received, policy)
    fields.update(sla_policy_id=policy.pk, reply_due_at=reply_due, warn_at=warn_at)
    _dispatch(writer, life, record, unit, reason, dispatched, policy, "系统")

    at = dispatched
    if rng.random() < 0.05:  # 退单: the unit says it is not theirs
        at += timedelta(hours=rng.uniform(0.5, 6))
        record.step(
            "send_back",
            at,
            HANDLER.format(unit=unit.name),
            unit.pk,
            reason=SEND_BACK_REASON,
            changes=_held(unit, AssignmentStatus.PENDING, AssignmentStatus.SENT_BACK),
        )
        life.assignments[-1].update(status=AssignmentStatus.SENT_BACK, note=SEND_BACK_REASON)
        fields["send_back_count"] = 1
        fields["main_unit_id"] = None
        unit = writer.units.district_gov[district_id]
        at += timedelta(hours=rng.uniform(0.3, 3))
        _dispatch(
            writer, life, record, unit, "派单员改派：退单后由属地区政府统筹", at, policy, "派单员"
        )
    handler = HANDLER.format(unit=unit.name)
    at += timedelta(minutes=rng.uniform(3, 30) if emergency else rng.uniform(10, 240))
    record.step(
        "sign_for",
        at,
        handler,
        unit.pk,
        changes=_held(unit, AssignmentStatus.PENDING, AssignmentStatus.SIGNED),
    )
    fields["signed_at"] = at
    life.assignments[-1].update(status=AssignmentStatus.SIGNED, signed_at=at)
    at += timedelta(minutes=rng.uniform(5, 60) if emergency else rng.uniform(30, 1440))
    record.step(
        "record_contact",
        at,
        handler,
        unit.pk,
        reason="已电话联系诉求人，了解具体情况",
    )
    fields["contacted_at"] = at

    late = rng.random() > quality + 0.05
    share = rng.uniform(1.02, 1.6) if late else rng.uniform(0.1, 0.95)
    reply_at = fields["reply_due_at"] and received + allowance * share
    if not emergency and rng.random() < 0.04:
        asked = at + (reply_at - at) / 3
        record.step("request_extension", asked, handler, unit.pk, reason="需协调相关单位，申请延期")
        approved = rng.random() < 0.8
        decided = asked + timedelta(hours=rng.uniform(1, 20))
        verdict = "同意" if approved else "驳回"
        record.step("decide_extension", decided, "督办员", None, reason=f"{verdict}延期申请")
        if approved:
            fields["reply_due_at"] = writer.deadline(fields["reply_due_at"], 5, "working_days")
    if fields["warn_at"] < reply_at:
        record.step(
            "warn", max(fields["warn_at"], at), "系统", None, reason="距办结时限不足，请抓紧办理"
        )
        fields["warned_at"] = max(fields["warn_at"], at)
    if reply_at > fields["reply_due_at"]:
        due = fields["reply_due_at"]
        record.step("mark_overdue", due, "系统", None, reason="已超过办结时限")
        fields["overdue_at"] = due
        record.step("supervise", due, "系统", None, reason="诉求已超期未办结，请立即办理并反馈")
        life.supervision.append(
            {
                "unit_id": unit.pk,
                "issued_at": due,
                "is_automatic": True,
                "requirement": "诉求已超期未办结，请立即办理并反馈",
                "respond_by": due + timedelta(hours=24),
                "status": "answered",
                "response": "已加派人员办理",
                "responded_at": due + timedelta(hours=rng.uniform(1, 20)),
            }
        )
    resolved = rng.random() < quality
    text = texts.compose_reply(rng, profile, resolved)
    record.step(
        "reply",
        reply_at,
        handler,
        unit.pk,
        reason=text,
        changes=_held(unit, AssignmentStatus.SIGNED, AssignmentStatus.REPLIED),
    )
    fields.update(replied_at=reply_at, reply_text=text)
    life.assignments[-1].update(status=AssignmentStatus.REPLIED, replied_at=reply_at, note=text)

    called = reply_at + timedelta(hours=rng.uniform(4, 72))
    if rng.random() < 0.07:
        record.step("callback_unreached", called, "回访员", None, reason="多次致电未接通")
        life.callbacks.append(
            {"unit_id": unit.pk, "at": called, "is_valid": False, "is_latest": False}
        )
        called += timedelta(hours=rng.uniform(20, 30))
    contacted = rng.random() < min(0.99, quality + 0.08)
    if resolved:
        satisfaction = rng.choices(SATISFACTION, weights=[quality * 10, 2.5, 1])[0]
    else:
        satisfaction = rng.choices(SATISFACTION, weights=[0.3, 1.5, 4])[0]
    record.step(
        "evaluate",
        called,
        "回访员",
        None,
        changes={
            "contacted": [None, contacted],
            "resolved": [None, resolved],
            "satisfaction": [None, satisfaction],
        },
    )
    fields["evaluated_at"] = called
    life.callbacks.append(
        {
            "unit_id": unit.pk,
            "at": called,
            "contacted": contacted,
            "resolved": resolved,
            "satisfaction": satisfaction,
            "is_latest": True,
        }
    )
    closed = called + timedelta(hours=rng.uniform(1, 24))
    record.step("close", closed, "系统", None, reason="回访完成，归档")
    fields["closed_at"] = closed
    # the outcome the close step sets from the rating (appeals.outcomes)
    fields["outcome"] = Outcome.RESOLVED if resolved else Outcome.UNRESOLVED


def _dispatch(
    writer: Any,
    life: Life,
    record: Recorder,
    unit: Any,
    reason: str,
    at: datetime,
    policy: Any,
    actor: str,
) -> None:
    sign_due = writer.deadline(at, policy.sign_within, policy.sign_unit)
    record.step(
        "dispatch",
        at,
        actor,
        None,
        reason=reason,
        changes={
            "main_unit": [None, {"id": unit.pk, "name": unit.name}],
            **_held(unit, "", AssignmentStatus.PENDING),
        },
    )
    life.fields.update(
        main_unit_id=unit.pk,
        dispatch_reason=reason[:300],
        dispatched_at=at,
        sign_due_at=sign_due,
        sign_warn_at=warn_before(sign_due, at, policy),
    )
    life.assignments.append(
        {
            "unit_id": unit.pk,
            "role": AssignmentRole.MAIN,
            "status": AssignmentStatus.PENDING,
            "assigned_at": at,
        }
    )
