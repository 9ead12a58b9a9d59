"""Writing the deliveries an event calls for, in the transaction that records the event
(appeals.events.event_recorded): a crash loses both or neither. The worker is asked to send
them once the transaction commits."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation

from cityloop.appeals.models import Appeal, AppealEvent
from cityloop.appeals.selectors import ANSWERED, PUBLIC_NOTES, action_label
from cityloop.integrations.webhooks.models import Delivery, Subscription
from cityloop.kernel import clock
from cityloop.kernel.wake import wake_after_commit
from cityloop.org.models import ApiKey, KeyScope


def unit_ids_of(appeal: Appeal) -> set[int]:
    """The units taking part in the appeal: the main one and every assisting one."""
    ids = set(appeal.assignments.values_list("unit_id", flat=True))
    if appeal.main_unit_id is not None:
        ids.add(appeal.main_unit_id)
    return ids


def payload(appeal: Appeal, event: AppealEvent, delivery_key: str) -> dict[str, Any]:
    """What an outside system is told: the event and the appeal's public fields only
    (personal data masked as on the tracking page; no caller)."""
    with translation.override("zh-hans"):
        label = action_label(event.action)
    return {
        "id": delivery_key,
        "kind": event.action,
        "kind_label": label,
        "occurred_at": event.at,
        "seq": event.seq,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "note": event.public_note if event.action in PUBLIC_NOTES else "",
        "appeal": {
            "tracking_code": appeal.tracking_code,
            "status": appeal.status,
            "channel": appeal.channel,
            "appeal_type": appeal.appeal_type,
            "title": appeal.public_title,
            "content": appeal.public_content,
            "address": appeal.public_address,
            "category": appeal.category.path if appeal.category else None,
            "main_unit": appeal.main_unit.name if appeal.main_unit else None,
            "received_at": appeal.received_at,
            "reply_due_at": appeal.reply_due_at,
            "replied_at": appeal.replied_at,
            "reply": appeal.public_reply if appeal.status in ANSWERED else "",
        },
    }


def units_of_keys(key_ids: set[int]) -> dict[int, set[int]]:
    """key id → the units it may see (absent: the whole city), in one query."""
    found: dict[int, set[int]] = {}
    pairs = ApiKey.units.through.objects.filter(apikey_id__in=key_ids)
    for key_id, unit_id in pairs.values_list("apikey_id", "unit_id"):
        found.setdefault(key_id, set()).add(unit_id)
    return found


def write_deliveries(
    sender: object, *, appeal: Appeal, events: list[AppealEvent], **_kw: Any
) -> None:
    """The receiver of event_recorded: one queued delivery per event and live subscription
    that wants this kind of event of an appeal its key may see."""
    live = [
        subscription
        for subscription in Subscription.objects.filter(
            deleted_at__isnull=True, key__revoked_at__isnull=True
        ).select_related("key")
        if KeyScope.WEBHOOKS in subscription.key.scopes
    ]
    if not live:
        return
    units = unit_ids_of(appeal)
    key_units = units_of_keys({subscription.key_id for subscription in live})
    now = clock.now()
    rows = []
    for event in events:
        for subscription in live:
            own = key_units.get(subscription.key_id)
            if not subscription.wants(event.action) or (own is not None and not own & units):
                continue  # a key with units sees only theirs
            key = f"wh-{subscription.pk}-{event.pk}"
            body = json.dumps(
                payload(appeal, event, key), cls=DjangoJSONEncoder, ensure_ascii=False
            )
            rows.append(
                Delivery(
                    subscription=subscription,
                    appeal=appeal,
                    event=event,
                    kind=event.action,
                    key=key,
                    body=body,
                    created_at=now,
                    next_attempt_at=now,
                )
            )
    if rows:
        Delivery.objects.bulk_create(rows)
        # ask the worker to send once this commits; if asking fails, the sweep (every
        # minute) sends them
        wake_after_commit("cityloop.integrations.webhooks.jobs.send", "webhooks-send")
