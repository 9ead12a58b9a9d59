"""The one check of a tracking code typed by a person or put in a URL, before it reaches a
query: anything that cannot be a code (a slash, a NUL, 5,000 characters) is simply "not
found", in the user's language, and never reaches the database (PostgreSQL refuses NUL)."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from cityloop.kernel.errors import NotFound

CODE_PATTERN = re.compile(r"[0-9A-Z]{4,16}")


def clean_tracking_code(code: str) -> str:
    """The code in its stored form (upper case, no spaces), or NotFound."""
    cleaned = code.strip().upper()
    if CODE_PATTERN.fullmatch(cleaned):
        return cleaned
    shown = cleaned[:20].replace("\x00", "") + ("…" if len(cleaned) > 20 else "")
    raise NotFound("appeal_not_found", _("查询码 %(code)s 对应的诉求不存在"), code=shown)
