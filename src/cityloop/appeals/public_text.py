"""The public version of an appeal's free text, made once when the text is written and
stored next to the original (core.masking is the policy). Public pages, the public API and
analysts read the stored version; staff handling the case read the original."""

from __future__ import annotations

from typing import Any

from cityloop.access.personal_data import public_text

# public field → the field it is the public version of
APPEAL_PUBLIC_FIELDS = {
    "public_title": "title",
    "public_content": "content",
    "public_address": "address_text",
    "public_reply": "reply_text",
}


def known_names(caller_name: str, writer: Any = None) -> tuple[str, ...]:
    """Names masked wherever they appear: the caller's, and the staff member's who wrote
    the text (a citizen's or the system's label is no one's name)."""
    staff_name = writer.name if writer is not None and getattr(writer, "user", None) else ""
    return tuple(n for n in (caller_name, staff_name) if n)


def public_version(text: str, *, caller_name: str = "", writer: Any = None) -> str:
    return public_text(text, names=known_names(caller_name, writer))


def public_fields(fields: dict[str, Any]) -> dict[str, str]:
    """The public fields of an appeal given its own fields (a model's or a row's)."""
    caller_name = fields.get("caller_name") or ""
    return {
        public: public_version(fields.get(source) or "", caller_name=caller_name)
        for public, source in APPEAL_PUBLIC_FIELDS.items()
    }
