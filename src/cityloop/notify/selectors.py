"""What staff and citizens see of the messages: each message beside the step of the
timeline it tells of, and whether the receipt SMS really went out."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from cityloop.appeals.models import Appeal
from cityloop.notify.models import Channel, Kind, MessageStatus, Outbox, SkipReason
from cityloop.notify.services import mask_address


def notice_out(message: Outbox) -> dict[str, Any]:
    """One message for the timeline. The address is masked for everyone: staff who need
    the number have it on the appeal itself, and the timeline is read and copied widely."""
    status = MessageStatus(message.status)
    note = str(SkipReason(message.skip_reason).label) if message.skip_reason else message.error
    return {
        "kind": message.kind,
        "kind_label": str(Kind(message.kind).label),
        "channel": message.channel,
        "channel_label": str(Channel(message.channel).label),
        "to": mask_address(message.channel, message.to),
        "status": status.value,
        "status_label": str(status.label),
        "attempts": message.attempts,
        "queued_at": message.created_at,
        "last_attempt_at": message.last_attempt_at,
        "sent_at": message.sent_at,
        "next_attempt_at": message.next_attempt_at if status == MessageStatus.QUEUED else None,
        "note": note,
    }


def notices_of(appeal: Appeal) -> dict[int, list[dict[str, Any]]]:
    """The appeal's messages by the seq of the event each tells of."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = Outbox.objects.filter(appeal=appeal).select_related("event").order_by("pk")
    for message in rows:
        found[message.event.seq].append(notice_out(message))
    return dict(found)


def notices_by_seq(
    sender: object, *, appeal: Appeal, personal: bool, **_kw: Any
) -> dict[int, list[dict[str, Any]]]:
    """The receiver of appeals.selectors.timeline_notes: the API timeline's notices."""
    return notices_of(appeal)


def receipt_sms_sent_to(appeal: Appeal) -> str:
    """The masked number the tracking code was sent to by SMS; "" when none was sent."""
    sent = Outbox.objects.filter(
        appeal=appeal, kind=Kind.RECEIPT, channel=Channel.SMS, status=MessageStatus.SENT
    ).first()
    return mask_address(Channel.SMS, sent.to) if sent else ""
