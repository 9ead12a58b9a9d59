"""Writing the messages an event calls for, in the transaction that records the event
(appeals.events.event_recorded), and asking the worker to send them once it commits."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.urls import reverse

from cityloop.appeals.models import Appeal, AppealEvent
from cityloop.kernel import clock
from cityloop.kernel.cache import config_cache, forget_on_change
from cityloop.kernel.wake import wake_after_commit
from cityloop.notify.defaults import DEFAULT_TEMPLATES
from cityloop.notify.models import (
    Channel,
    Kind,
    MessageStatus,
    MessageTemplate,
    OptOut,
    Outbox,
    Recipient,
    SkipReason,
)
from cityloop.notify.templates import fill

STOP_SALT = "cityloop.notify.stop"
MOBILE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")

# action → what the citizen is told; the steps not named here are the staff's own business
KIND_OF_ACTION = {
    "receive": Kind.RECEIPT,
    "dispatch": Kind.DISPATCHED,
    "redispatch": Kind.DISPATCHED,
    "reply": Kind.REPLIED,
    "reopen": Kind.REOPENED,
    "close": Kind.CLOSED,
}


def kind_of(event: AppealEvent) -> str | None:
    if event.action == "decide_extension":
        # only a granted extension moves the deadline the citizen was told
        return Kind.EXTENDED if "reply_due_at" in event.changes else None
    return KIND_OF_ACTION.get(event.action)


def normal_address(channel: str, address: str) -> str:
    """Phones without separators, e-mail addresses in lower case: one opt-out covers every
    way the same address was written."""
    if channel == Channel.SMS:
        return re.sub(r"[\s\-()]", "", address)
    return address.strip().lower()


def stop_token(key: str) -> str:
    return signing.Signer(salt=STOP_SALT).sign(key)


def key_of_stop_token(token: str) -> str | None:
    try:
        return signing.Signer(salt=STOP_SALT).unsign(token)
    except signing.BadSignature:
        return None


def public_url(path: str) -> str:
    return settings.CITYLOOP_PUBLIC_URL.rstrip("/") + path


def values_for(appeal: Appeal) -> dict[str, Any]:
    due = appeal.reply_due_at
    return {
        "tracking_code": appeal.tracking_code,
        "title": appeal.public_title or appeal.title,
        "unit": appeal.main_unit.name if appeal.main_unit else "",
        "deadline": f"{clock.local(due):%Y-%m-%d %H:%M}" if due else "",
        "reply": appeal.public_reply,
        "track_url": public_url(reverse("web:track-detail", args=[appeal.tracking_code])),
    }


@config_cache
def _template(kind: str, channel: str) -> tuple[str, str] | None:
    """(subject, body) of the template in use; None when an administrator switched it off.
    A template row that is missing (a flushed database) falls back to the default."""
    row = MessageTemplate.objects.filter(kind=kind, channel=channel).first()
    if row is None:
        return DEFAULT_TEMPLATES[kind][channel]
    return (row.subject, row.body) if row.is_active else None


def _with_stop_link(channel: str, body: str, key: str) -> str:
    """Every message ends with its opt-out link (not part of the template, so an edit cannot
    drop it); in Chinese like the templates, whatever language the staff member uses."""
    link = public_url(reverse("web:notify-stop", args=[stop_token(key)]))
    if channel == Channel.SMS:
        return f"{body} 退订：{link}"
    return f"{body}\n\n如不想再收到本热线的通知，请打开：{link}"


def addresses_of(appeal: Appeal) -> list[tuple[str, str]]:
    """(channel, address) the citizen of this appeal is told at."""
    found: list[tuple[str, str]] = []
    if appeal.caller_phone.strip():
        found.append((Channel.SMS, normal_address(Channel.SMS, appeal.caller_phone)))
    email = Recipient.objects.filter(appeal=appeal).values_list("email", flat=True).first()
    if email:
        found.append((Channel.EMAIL, normal_address(Channel.EMAIL, email)))
    return found


def is_opted_out(channel: str, address: str) -> bool:
    return OptOut.objects.filter(channel=channel, address=address).exists()


def opted_out(addresses: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (channel, address) pairs among these that opted out, in one query."""
    if not addresses:
        return set()
    wanted = Q()
    for channel, address in addresses:
        wanted |= Q(channel=channel, address=address)
    return set(OptOut.objects.filter(wanted).values_list("channel", "address"))


def write_messages(
    sender: object, *, appeal: Appeal, events: list[AppealEvent], **_kw: Any
) -> None:
    """The receiver of event_recorded: one outbox row per event and channel the citizen can
    be told at, queued, or recorded as skipped (and why) when it will not be sent."""
    kinds = [(event, kind) for event in events if (kind := kind_of(event)) is not None]
    if not kinds:
        return
    now = clock.now()
    values = values_for(appeal)
    addresses = addresses_of(appeal)
    stopped = opted_out(addresses)
    rows = []
    for event, kind in kinds:
        for channel, address in addresses:
            key = f"{appeal.tracking_code}-{event.seq}-{channel}"
            template = _template(kind, channel)
            skipped = ""
            if template is None:
                skipped, template = SkipReason.DISABLED, ("", "")
            elif channel == Channel.SMS and not MOBILE.match(address):
                skipped = SkipReason.NOT_MOBILE
            elif (channel, address) in stopped:
                skipped = SkipReason.OPTED_OUT
            subject, body = template
            rows.append(
                Outbox(
                    appeal=appeal,
                    event=event,
                    kind=kind,
                    channel=channel,
                    key=key,
                    to=address,
                    subject=fill(subject, values),
                    body=_with_stop_link(channel, fill(body, values), key) if body else "",
                    status=MessageStatus.SKIPPED if skipped else MessageStatus.QUEUED,
                    skip_reason=skipped,
                    created_at=now,
                    next_attempt_at=now,
                )
            )
    Outbox.objects.bulk_create(rows)
    if any(row.status == MessageStatus.QUEUED for row in rows):
        # ask the worker to send once this commits; if asking fails, the sweep (every
        # minute) sends them
        wake_after_commit("cityloop.notify.jobs.drain", "notify-drain")


forget_on_change(MessageTemplate)
