"""notify's writes outside the outbox: the citizen's e-mail address at intake, and opting
out (by the link in a message, or recorded by staff in the admin)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from cityloop.access.personal_data import mask_phone
from cityloop.appeals.models import Appeal
from cityloop.kernel import clock
from cityloop.kernel.errors import NotFound, invalid_field
from cityloop.notify.defaults import DEFAULT_TEMPLATES
from cityloop.notify.models import Channel, MessageTemplate, OptOut, Outbox, Recipient
from cityloop.notify.outbox import key_of_stop_token, normal_address

EMAIL_MAX = 254


def clean_email(email: str) -> str:
    """The address as stored, or a 400 naming the field; "" when none was given."""
    email = email.strip()
    if not email:
        return ""
    try:
        if len(email) > EMAIL_MAX:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        raise invalid_field("email", _("电子邮箱格式不正确：%(value)s"), value=email[:60]) from None
    return email


def save_recipient(appeal: Appeal, email: str) -> None:
    """Keep the citizen's e-mail address for this appeal (called by intake before the
    receipt is recorded, so the receipt goes there too)."""
    email = clean_email(email)
    if email:
        Recipient.objects.update_or_create(appeal=appeal, defaults={"email": email})


@dataclass(frozen=True)
class Stopped:
    channel: str
    shown_address: str  # masked: the page is public


def mask_address(channel: str, address: str) -> str:
    if channel == Channel.SMS:
        return mask_phone(address)
    name, _at, domain = address.partition("@")
    return f"{name[:1]}***@{domain}"


def _message_of(token: str) -> Outbox:
    key = key_of_stop_token(token)
    message = Outbox.objects.filter(key=key).first() if key else None
    if message is None:
        raise NotFound("stop_link_invalid", _("退订链接无效，请核对短信或邮件中的链接"))
    return message


def stop_preview(token: str) -> Stopped:
    """What the link would stop, for the page that asks the citizen to confirm (a mail
    scanner that opens the link changes nothing)."""
    message = _message_of(token)
    return Stopped(message.channel, mask_address(message.channel, message.to))


def stop_by_token(token: str) -> Stopped:
    """The citizen confirmed the link in a message: nothing more is sent to that address
    (on that channel). Confirming again changes nothing."""
    message = _message_of(token)
    address = normal_address(message.channel, message.to)
    OptOut.objects.get_or_create(
        channel=message.channel,
        address=address,
        defaults={"at": clock.now(), "via_link": True},
    )
    return Stopped(message.channel, mask_address(message.channel, address))


def seed_templates() -> int:
    """The default templates that are missing (an administrator's edits stay); how many
    were added."""
    added = 0
    for kind, channels in DEFAULT_TEMPLATES.items():
        for channel, (subject, body) in channels.items():
            _row, created = MessageTemplate.objects.get_or_create(
                kind=kind, channel=channel, defaults={"subject": subject, "body": body}
            )
            added += created
    return added
