"""What the notify tests read: the files the file backends wrote, and the outbox rows."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from cityloop.notify.models import Outbox


def sms_files(data_dir: Path) -> dict[str, str]:
    """key → the text of the SMS written for it."""
    folder = data_dir / "outbox" / "sms"
    return {p.stem: p.read_text() for p in sorted(folder.glob("*.txt"))} if folder.exists() else {}


def email_files(data_dir: Path) -> dict[str, Any]:
    """key → the e-mail written for it (an email.message.EmailMessage)."""
    folder = data_dir / "outbox" / "email"
    if not folder.exists():
        return {}
    return {
        p.stem: message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted(folder.glob("*.eml"))
    }


def messages(code: str) -> list[tuple[str, str, str]]:
    """(kind, channel, status) of an appeal's messages, in the order they were written."""
    rows = Outbox.objects.filter(appeal__tracking_code=code).order_by("pk")
    return list(rows.values_list("kind", "channel", "status"))
