"""An imported appeal's recorded life, built in memory the way the demo history is: every
step is checked against the transition table (action, from status, role) and lands on the
status the table names, so an import cannot record a history the services would refuse.

The steps are the ones the file attests: received (and placed), dispatched to the unit that
handled it, its reply, the callback's answers and the close, each at its original time. A
reply past its deadline is marked overdue at the deadline, as the scan would have. What the
file does not say is not invented: a row without a reply stays with its unit, open."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from cityloop.access.actors import SYSTEM
from cityloop.appeals.assignments import change_record
from cityloop.appeals.enums import (
    AssignmentRole,
    AssignmentStatus,
    Channel,
    Placement,
)
from cityloop.appeals.outcomes import outcome_from_history
from cityloop.appeals.public_text import public_fields, public_version
from cityloop.appeals.transitions import check
from cityloop.intake.bulk.rows import Lookups, ParsedRow
from cityloop.intake.understanding import understand
from cityloop.org.models import Role, Unit
from cityloop.sla.calendar import add_duration
from cityloop.sla.services import warn_before

IMPORTER = "批量导入"
HANDLER = "承办人员（{unit}）"
# distinct addresses whose place is kept during a run (a bound on the memory it takes)
PLACES_KEPT = 50_000


@dataclass
class Life:
    fields: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    assignments: list[dict[str, Any]] = field(default_factory=list)
    callbacks: list[dict[str, Any]] = field(default_factory=list)

    def step(
        self,
        action: str,
        at: datetime,
        role: str,
        actor_name: str,
        unit: Unit | None = None,
        *,
        reason: str = "",
        changes: dict[str, Any] | None = None,
    ) -> None:
        before = self.fields["status"]
        transition = check(action, before, role, reason)
        if transition.target is not None:
            self.fields["status"] = transition.target
        self.fields["version"] += 1
        self.events.append(
            {
                "seq": self.fields["version"],
                "action": action,
                "at": at,
                "actor_name": actor_name,
                "actor_unit_id": unit.pk if unit else None,
                "from_status": before if action != "receive" else "",
                "to_status": self.fields["status"],
                "reason": reason,
                "public_note": public_version(reason, caller_name=self.fields["caller_name"]),
                "changes": changes or {},
            }
        )


def _held(unit: Unit, before: str, after: str) -> dict[str, Any]:
    return {"assignments": [None, [change_record(unit, AssignmentRole.MAIN, before, after)]]}


def build_life(row: ParsedRow, lookups: Lookups, *, tracking_code: str, source: str) -> Life:
    """`source` names the file and row in the receive step's reason (where it came from)."""
    received = row.received_at
    life = Life(
        fields={
            "tracking_code": tracking_code,
            "channel": Channel.BULK_IMPORT,
            "appeal_type": row.appeal_type,
            "status": "",
            "version": 0,
            "title": row.title,
            "content": row.content,
            "caller_name": row.caller_name,
            "caller_phone": row.caller_phone,
            "address_text": row.address,
            "category_id": row.category.pk if row.category else None,
            "urgency": row.urgency,
            "received_at": received,
        }
    )
    life.step(
        "receive",
        received,
        SYSTEM,
        IMPORTER,
        reason=source,
        changes={"channel": ["", Channel.BULK_IMPORT]},
    )
    _place(life, row, lookups)
    if row.unit is not None:
        _dispatch_and_handle(life, row, row.unit, lookups)
    life.fields.update(public_fields(life.fields))
    return life


def _place(life: Life, row: ParsedRow, lookups: Lookups) -> None:
    """Placed as intake places typed text (standard address, road, street, district), and
    recorded by a "locate" step saying how, as intake records it. A historical record's
    address column is its place: read alone (and once per distinct address in a run — a
    city's history names the same places over and over); the whole text is read only when
    the row has no address or the address alone leads nowhere."""
    place = lookups.places.get(row.address) if row.address else None
    if place is None and row.address:
        place = understand(
            row.address, want_category=False, want_address=True, address_text=row.address
        ).placement
        if place is not None and place.level != Placement.CITY:
            if len(lookups.places) >= PLACES_KEPT:
                lookups.places.clear()
            lookups.places[row.address] = place
    if place is None or place.level == Placement.CITY:
        text = f"{row.address} {row.title} {row.content}".strip()
        place = understand(
            text, want_category=False, want_address=True, address_text=row.address
        ).placement
    if place is None:
        return
    address_text = row.address or (place.address.full_text if place.address else "")
    fields = place.fields(address_text)
    life.step("locate", row.received_at, SYSTEM, IMPORTER, reason="；".join(place.reasons))
    life.fields.update(
        {
            (f"{key}_id" if key in {"standard_address", "grid", "street", "district"} else key): (
                getattr(value, "pk", None)
                if key in {"standard_address", "grid", "street", "district"}
                else value
            )
            for key, value in fields.items()
        }
    )


def _dispatch_and_handle(life: Life, row: ParsedRow, unit: Unit, lookups: Lookups) -> None:
    fields = life.fields
    received = row.received_at
    policy = lookups.policy(row.category, row.urgency)
    sign_due = add_duration(received, policy.sign_within, policy.sign_unit)
    reply_due = add_duration(received, policy.reply_within, policy.reply_unit)
    reason = _("按导入记录的承办单位：%(unit)s") % {"unit": unit.name}
    life.step(
        "dispatch",
        received,
        SYSTEM,
        IMPORTER,
        reason=reason,
        changes={
            "main_unit": [None, {"id": unit.pk, "name": unit.name}],
            **_held(unit, "", AssignmentStatus.PENDING),
        },
    )
    fields.update(
        main_unit_id=unit.pk,
        dispatch_reason=reason[:300],
        dispatched_at=received,
        sign_due_at=sign_due,
        sign_warn_at=warn_before(sign_due, received, policy),
        sla_policy_id=policy.pk,
        reply_due_at=reply_due,
        warn_at=warn_before(reply_due, received, policy),
    )
    assignment: dict[str, Any] = {
        "unit_id": unit.pk,
        "role": AssignmentRole.MAIN,
        "status": AssignmentStatus.PENDING,
        "assigned_at": received,
    }
    life.assignments.append(assignment)
    replied = row.replied_at
    if replied is None:
        return
    if replied > reply_due:
        life.step("mark_overdue", reply_due, SYSTEM, IMPORTER, reason=_("已超过办结时限"))
        fields["overdue_at"] = reply_due
    handler = HANDLER.format(unit=unit.name)
    # the file does not say when the unit signed for it: no earlier than it answered
    life.step(
        "sign_for",
        replied,
        Role.HANDLER,
        handler,
        unit,
        changes=_held(unit, AssignmentStatus.PENDING, AssignmentStatus.SIGNED),
    )
    text = row.reply_text or _("（导入记录未含办理结果）")
    life.step(
        "reply",
        replied,
        Role.HANDLER,
        handler,
        unit,
        reason=text,
        changes=_held(unit, AssignmentStatus.SIGNED, AssignmentStatus.REPLIED),
    )
    fields.update(signed_at=replied, replied_at=replied, reply_text=text)
    assignment.update(
        status=AssignmentStatus.REPLIED, signed_at=replied, replied_at=replied, note=text
    )
    if row.evaluated_at is not None:
        _evaluate(life, row, unit, row.evaluated_at)
    if row.closed_at is not None:
        life.step("close", row.closed_at, SYSTEM, IMPORTER, reason=_("导入记录已关闭"))
        fields["closed_at"] = row.closed_at
        # the outcome the close step sets from the rating, by the one rule there is
        steps = [(event["action"], event["changes"]) for event in life.events]
        fields["outcome"] = outcome_from_history(steps, row.appeal_type)


def _evaluate(life: Life, row: ParsedRow, unit: Unit, at: datetime) -> None:
    life.step(
        "evaluate",
        at,
        SYSTEM,
        IMPORTER,
        changes={
            "contacted": [None, row.contacted],
            "resolved": [None, row.resolved],
            "satisfaction": [None, row.satisfaction or None],
        },
    )
    life.fields["evaluated_at"] = at
    life.callbacks.append(
        {
            "unit_id": unit.pk,
            "at": at,
            "is_valid": True,
            "contacted": row.contacted,
            "resolved": row.resolved,
            "satisfaction": row.satisfaction,
            "is_latest": True,
        }
    )
