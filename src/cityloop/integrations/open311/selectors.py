"""What Open311 reads: the services (the category taxonomy), and the requests (appeals) as
the specification shows them, masked as on every public output."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from cityloop.appeals.codes import by_code
from cityloop.appeals.enums import OPEN_STATUSES, Status
from cityloop.appeals.models import Appeal, AppealEvent
from cityloop.appeals.selectors import ANSWERED, public_view
from cityloop.integrations.open311 import attributes
from cityloop.kernel import clock
from cityloop.kernel.errors import NotFound
from cityloop.taxonomy.models import Category

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-01T00:00:00+08:00"  # the date of the last change to what is served here
# The default window of GET requests, and the most requests one answer holds (the spec's).
WINDOW = timedelta(days=90)
MAX_REQUESTS = 1000
# A point on a public output is rounded to about 100 m: a house is not to be found from it.
POINT_DECIMALS = 3
TOKEN_SALT = "cityloop.open311.token"
# What request_out reads without extensions (a list loads only these).
LISTED_FIELDS = (
    "tracking_code", "status", "public_reply", "deferred_until", "public_content",
    "received_at", "reply_due_at", "public_address", "lat", "lng",
    "category__name", "category__code", "main_unit__name",
)  # fmt: skip


def jurisdiction() -> str:
    return str(getattr(settings, "CITYLOOP_OPEN311_JURISDICTION", "cityloop"))


def check_jurisdiction(given: str | None) -> None:
    if given and given != jurisdiction():
        raise NotFound(
            "jurisdiction_not_found", _("未知的 jurisdiction_id：%(value)s"), value=given
        )


def discovery(base_url: str) -> dict[str, Any]:
    return {
        "changeset": CHANGESET,
        "contact": str(settings.CITYLOOP_BRAND),
        "key_service": _("API 密钥由系统管理员在管理后台签发"),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base_url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def _service_out(category: Category) -> dict[str, Any]:
    parts = category.path.split(" › ")
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.path,
        "metadata": True,
        "type": "batch",
        "keywords": ",".join(parts),
        "group": parts[0] if parts else "",
    }


def services() -> list[dict[str, Any]]:
    """Every active category, at every level: a client may file as precisely as it knows."""
    categories = Category.objects.filter(is_active=True).order_by("code")
    return [_service_out(category) for category in categories]


def service(code: str) -> Category:
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise NotFound("service_not_found", _("未知的服务：%(code)s"), code=code[:40])
    return category


def service_definition(code: str) -> dict[str, Any]:
    category = service(code)
    return {"service_code": category.code, "attributes": attributes.definition(category)}


def token_of(tracking_code: str) -> str:
    return signing.Signer(salt=TOKEN_SALT).sign(tracking_code)


def code_of_token(token: str) -> str:
    try:
        return signing.Signer(salt=TOKEN_SALT).unsign(token)
    except signing.BadSignature:
        raise NotFound("token_not_found", _("未知的 token：%(token)s"), token=token[:80]) from None


@dataclass
class RequestQuery:
    """The filters of GET requests, already checked (params.py)."""

    ids: list[str] = field(default_factory=list)
    service_codes: list[str] = field(default_factory=list)
    start: datetime | None = None
    end: datetime | None = None
    statuses: list[str] = field(default_factory=list)  # "open", "closed"
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    page: int = 1
    page_size: int = MAX_REQUESTS
    extensions: bool = False
    unit_ids: set[int] | None = None  # a key's units; None: the whole city


def _visible(unit_ids: set[int] | None) -> QuerySet[Appeal]:
    appeals = Appeal.objects.select_related("main_unit", "category")
    if unit_ids is not None:
        appeals = appeals.filter(main_unit_id__in=unit_ids)
    # the last event's time, read through the (appeal, seq) index: no GROUP BY over appeals
    last_event = AppealEvent.objects.filter(appeal=OuterRef("pk")).order_by("-seq")
    return appeals.annotate(updated=Subquery(last_event.values("at")[:1]))


def _in_services(codes: list[str]) -> Q:
    condition = Q()
    for code in codes:
        category = service(code)
        condition |= Q(category__path=category.path) | Q(
            category__path__startswith=category.path + " › "
        )
    return condition


def _window(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    """The dates asked for, the one missing 90 days from the other; none: the last 90 days
    (a window reaching past now is harmless: nothing was received in the future)."""
    if start is None and end is None:
        end = clock.now()
    if start is None:
        assert end is not None
        return end - WINDOW, end
    return start, end if end is not None else start + WINDOW


def find_requests(query: RequestQuery) -> list[dict[str, Any]]:
    """service_request_id overrides every other filter; without dates the window is the
    last 90 days; newest first, at most 1000 at a time."""
    appeals = _visible(query.unit_ids)
    if query.ids:
        appeals = appeals.filter(tracking_code__in=query.ids)
    else:
        if query.service_codes:
            appeals = appeals.filter(_in_services(query.service_codes))
        start, end = _window(query.start, query.end)
        appeals = appeals.filter(received_at__gte=start, received_at__lte=end)
        if query.statuses == ["open"]:
            appeals = appeals.filter(status__in=OPEN_STATUSES)
        elif query.statuses == ["closed"]:
            appeals = appeals.exclude(status__in=OPEN_STATUSES)
        if query.updated_after is not None:
            appeals = appeals.filter(Q(updated__gt=query.updated_after))
        if query.updated_before is not None:
            appeals = appeals.filter(Q(updated__lt=query.updated_before))
    if not query.extensions:  # a thousand rows: only the columns request_out reads
        appeals = appeals.only(*LISTED_FIELDS)
    first = (query.page - 1) * query.page_size
    page = appeals.order_by("-received_at", "-pk")[first : first + query.page_size]
    return [request_out(appeal, extensions=query.extensions) for appeal in page]


def find_request(code: str, *, unit_ids: set[int] | None, extensions: bool) -> dict[str, Any]:
    appeal = _visible(unit_ids).filter(by_code(code)).first()
    if appeal is None:
        raise NotFound("request_not_found", _("未知的服务请求：%(code)s"), code=code[:40])
    return request_out(appeal, extensions=extensions)


def status_notes(appeal: Appeal) -> str:
    """The reply once it counts as given; else where the appeal stands."""
    if appeal.status in ANSWERED and appeal.public_reply:
        return appeal.public_reply
    label = str(Status(appeal.status).label)
    if appeal.status == Status.DEFERRED and appeal.deferred_until:
        return _("%(label)s，计划解决日期：%(day)s") % {
            "label": label,
            "day": appeal.deferred_until,
        }
    return label


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, POINT_DECIMALS)


def request_out(appeal: Appeal, *, extensions: bool = False) -> dict[str, Any]:
    """One request as the specification shows it: the public (masked) text, the unit that
    holds it, its reply deadline; with `extensions`, its public timeline as notes."""
    out: dict[str, Any] = {
        "service_request_id": appeal.tracking_code,
        "status": "open" if appeal.status in OPEN_STATUSES else "closed",
        "status_notes": status_notes(appeal),
        "service_name": appeal.category.name if appeal.category else "",
        "service_code": appeal.category.code if appeal.category else "",
        "description": appeal.public_content,
        "agency_responsible": appeal.main_unit.name if appeal.main_unit else "",
        "service_notice": "",
        "requested_datetime": appeal.received_at,
        "updated_datetime": getattr(appeal, "updated", None) or appeal.received_at,
        "expected_datetime": appeal.reply_due_at,
        "address": appeal.public_address,
        "address_id": "",
        "zipcode": "",
        "lat": _rounded(appeal.lat),
        "long": _rounded(appeal.lng),
        "media_url": "",
    }
    if extensions:
        view = public_view(appeal)
        out["extended_attributes"] = {
            "title": appeal.public_title,
            "detailed_status": appeal.status.upper(),
            "status_label": view["status_label"],
            "appeal_type": view["appeal_type_label"],
            "category": view["category"] or "",
            "outcome": view["outcome_label"],
            "channel": appeal.channel,
        }
        out["notes"] = [
            {
                "datetime": step["at"],
                "summary": step["action_label"],
                "description": step["note"] or step["status_label"],
                "type": "status_change" if step["status_label"] else "note",
                "agency": step["actor"],
            }
            for step in view["timeline"]
        ]
    return out
