from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils.translation import gettext as _

from cityloop.access.personal_data import mask_phone
from cityloop.appeals import deadlines
from cityloop.appeals.deadlines import is_overdue

register = template.Library()


def _span(seconds: float) -> str:
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)s天%(h)s小时") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s小时%(m)s分") % {"h": hours, "m": minutes}
    return _("%(m)s分钟") % {"m": minutes}


@register.simple_tag
def countdown(due: datetime | None, now: datetime) -> str:
    """剩余… before the deadline, 超期… after it."""
    if due is None:
        return "—"
    left = (due - now).total_seconds()
    if left >= 0:
        return _("剩余 %(span)s") % {"span": _span(left)}
    return _("超期 %(span)s") % {"span": _span(-left)}


@register.filter
def overdue(appeal: Any, now: datetime) -> bool:
    """超期: the one rule of appeals.deadlines."""
    return is_overdue(appeal, now)


@register.filter
def reply_clock_runs(appeal: Any) -> bool:
    return deadlines.reply_clock_runs(appeal)


@register.filter
def passed(due: datetime | None, now: datetime) -> bool:
    """A deadline other than an appeal's own (a supervision order's answer time) passed."""
    return due is not None and due < now


@register.filter
def masked_phone(phone: str) -> str:
    return mask_phone(phone or "")


@register.filter
def percent(rate: float | None) -> str:
    """A rate as a percentage; a month without valid callbacks has no rate ("—"), not 0%."""
    return "—" if rate is None else f"{rate:.1%}"
