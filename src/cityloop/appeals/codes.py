"""The one check of a tracking code typed by a person or put in a URL, before it reaches a
query: anything that cannot be a code (a slash, a NUL, 5,000 characters) is simply "not
found", in the user's language, and never reaches the database (PostgreSQL refuses NUL)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cityloop.kernel import clock
from cityloop.kernel.errors import NotFound

CODE_PATTERN = re.compile(r"[0-9A-Z]{4,16}")


def clean_tracking_code(code: str) -> str:
    """The code in its stored form (upper case, no spaces), or NotFound."""
    cleaned = code.strip().upper()
    if CODE_PATTERN.fullmatch(cleaned):
        return cleaned
    shown = cleaned[:20].replace("\x00", "") + ("…" if len(cleaned) > 20 else "")
    raise NotFound("appeal_not_found", _("查询码 %(code)s 对应的诉求不存在"), code=shown)


def by_code(code: str) -> Q:
    """The filter for the appeal with this (clean) code. A code begins with the local day of
    reception (yymmdd, intake.services.new_tracking_code), so that day bounds received_at
    too: on PostgreSQL, where appeals are partitioned by month (decision 0014), only one
    month's partition is searched instead of all of them."""
    found = Q(tracking_code=code)
    try:
        day = date(2000 + int(code[0:2]), int(code[2:4]), int(code[4:6]))
    except ValueError:  # not a date: the code alone (it matches nothing we issued)
        return found
    start = clock.start_of_day(day)
    return found & Q(received_at__gte=start, received_at__lt=start + timedelta(days=1))
