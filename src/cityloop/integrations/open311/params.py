"""The parameters of GET requests, checked: a wrong one is a 400 that names it, never a
500 (bad dates, out-of-range pages, unknown statuses)."""

from __future__ import annotations

from datetime import datetime

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from cityloop.integrations.open311.attributes import parse_when
from cityloop.integrations.open311.selectors import MAX_REQUESTS, WINDOW, RequestQuery
from cityloop.kernel.errors import DomainError, invalid_field

MAX_PAGE = 100_000
MAX_LIST = 1000  # ids or codes in one comma-separated filter


def _list(params: QueryDict, name: str) -> list[str]:
    items = [item.strip() for value in params.getlist(name) for item in value.split(",")]
    items = [item for item in items if item]
    if len(items) > MAX_LIST:
        raise invalid_field(name, _("%(name)s 最多 %(limit)s 项"), name=name, limit=MAX_LIST)
    return items


def _when(params: QueryDict, name: str) -> datetime | None:
    text = params.get(name, "")
    if not text.strip():
        return None
    moment = parse_when(text)
    if moment is None:
        raise invalid_field(
            name,
            _("%(name)s 不是有效的 W3C 时间（如 2026-12-01T00:00:00Z）：%(value)s"),
            name=name,
            value=text[:40],
        )
    return moment


def _number(params: QueryDict, name: str, default: int, top: int) -> int:
    text = params.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or not 1 <= int(text) <= top:
        raise invalid_field(name, _("%(name)s 须为 1 到 %(top)s 之间的整数"), name=name, top=top)
    return int(text)


def _flag(params: QueryDict, name: str) -> bool:
    text = params.get(name, "").strip().lower()
    if text in ("", "false", "0", "no"):
        return False
    if text in ("true", "1", "yes"):
        return True
    raise invalid_field(name, _("%(name)s 须为 true 或 false"), name=name)


def extensions(params: QueryDict) -> bool:
    return _flag(params, "extensions")


def request_query(params: QueryDict, unit_ids: set[int] | None) -> RequestQuery:
    statuses = sorted(set(_list(params, "status")))
    wrong = [status for status in statuses if status not in ("open", "closed")]
    if wrong:
        raise invalid_field(
            "status", _("status 只能是 open 或 closed：%(value)s"), value=", ".join(wrong)[:80]
        )
    start, end = _when(params, "start_date"), _when(params, "end_date")
    if start is not None and end is not None:
        if end < start:
            raise DomainError("invalid_dates", _("end_date 不能早于 start_date"))
        if end - start > WINDOW:
            raise DomainError("invalid_dates", _("start_date 与 end_date 相隔不能超过 90 天"))
    return RequestQuery(
        ids=_list(params, "service_request_id"),
        service_codes=_list(params, "service_code"),
        start=start,
        end=end,
        statuses=statuses if len(statuses) == 1 else [],
        updated_after=_when(params, "updated_after"),
        updated_before=_when(params, "updated_before"),
        page=_number(params, "page", 1, MAX_PAGE),
        page_size=_number(params, "page_size", MAX_REQUESTS, MAX_REQUESTS),
        extensions=extensions(params),
        unit_ids=unit_ids,
    )
