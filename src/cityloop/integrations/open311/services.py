"""POST requests: a service request becomes an appeal of channel "open311", taken in through
intake (received, and dispatched by the rules when its category is known), its media kept
with it or nothing kept at all."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from cityloop.access.actors import Actor
from cityloop.appeals.enums import Channel
from cityloop.appeals.models import Appeal
from cityloop.intake.services import (
    ADDRESS_TEXT_MAX,
    CALLER_NAME_MAX,
    AppealDraft,
    receive_report,
)
from cityloop.integrations.open311 import attributes
from cityloop.integrations.open311.selectors import service
from cityloop.kernel.errors import DomainError, invalid_field
from cityloop.org.models import ApiKey
from cityloop.sla.models import Urgency

DESCRIPTION_MAX = 4000  # the specification's limit
URL_MAX = 500
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,60})\](\[\])?$")


def _text(form: QueryDict, name: str, limit: int | None) -> str:
    value = form.get(name, "").strip()
    if limit is not None and len(value) > limit:
        raise invalid_field(name, _("%(name)s 不能超过 %(limit)s 字"), name=name, limit=limit)
    return value


def _coordinate(form: QueryDict, name: str) -> float | None:
    text = form.get(name, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise invalid_field(
            "location", _("%(name)s 不是有效的数字：%(value)s"), name=name, value=text[:40]
        )
    return value


def sent_attributes(form: QueryDict) -> dict[str, list[str]]:
    """attribute[CODE]=v and attribute[CODE][]=v1&attribute[CODE][]=v2, by code."""
    sent: dict[str, list[str]] = defaultdict(list)
    for name, values in form.lists():
        if not name.startswith("attribute"):
            continue
        match = _ATTRIBUTE.match(name)
        if match is None:
            raise DomainError(
                "invalid_attribute", _("属性参数格式不正确：%(attribute)s"), attribute=name[:80]
            )
        sent[match.group(1)] += values
    return dict(sent)


def _content(description: str, media_url: str, extra: dict[str, Any], service_name: str) -> str:
    """The description and what the attributes add to it, in the city's own language (the
    record is read by the call centre, whatever language the client spoke)."""
    lines = [description or service_name]
    with translation.override(settings.LANGUAGE_CODE):
        if "noticed_at" in extra:
            lines.append(f"{_('发现时间')}：{extra['noticed_at']:%Y-%m-%d %H:%M}")
        if "people_affected" in extra:
            lines.append(f"{_('受影响人数')}：{extra['people_affected']:g}")
        if "site_conditions" in extra:
            labels = [str(attributes.SITE_CONDITIONS[key]) for key in extra["site_conditions"]]
            lines.append(f"{_('现场情况')}：{'、'.join(labels)}")
        if media_url:
            lines.append(f"{_('图片链接')}：{media_url}")
    return "\n".join(lines)


def submit(form: QueryDict, uploads: Sequence[Any], *, key: ApiKey) -> Appeal:
    """Check everything the client sent, then take the appeal in (intake.receive_report)."""
    category = service(form.get("service_code", "").strip()) if form.get("service_code") else None
    if category is None:
        raise invalid_field("service_code", _("缺少 service_code"))
    extra = attributes.clean(category, sent_attributes(form))
    lat, lng = _coordinate(form, "lat"), _coordinate(form, "long")
    address_string = _text(form, "address_string", ADDRESS_TEXT_MAX)
    address_id = _text(form, "address_id", 50)
    if lat is None and lng is None and not address_string and not address_id:
        raise invalid_field("location", _("须提供位置：lat 和 long、address_string 或 address_id"))
    media_url = _text(form, "media_url", URL_MAX)
    if media_url and not re.match(r"^https?://\S+$", media_url):
        raise invalid_field("media_url", _("media_url 须为 http(s) 链接"))
    name = _text(form, "last_name", CALLER_NAME_MAX) + _text(form, "first_name", CALLER_NAME_MAX)
    if CALLER_NAME_MAX is not None and len(name) > CALLER_NAME_MAX:
        raise invalid_field("name", _("姓名不能超过 %(limit)s 字"), limit=CALLER_NAME_MAX)
    draft = AppealDraft(
        channel=Channel.OPEN311,
        title=extra.get("title", ""),
        content=_content(
            _text(form, "description", DESCRIPTION_MAX), media_url, extra, category.name
        ),
        caller_name=name,
        caller_phone=_text(form, "phone", 30),
        address_text=address_string,
        lat=lat,
        lng=lng,
        standard_address_code=address_id,
        category_code=extra.get("subcategory", category.code),
        urgency=extra.get("urgency", Urgency.NORMAL),
        appeal_type=extra.get("appeal_type", ""),
        email=_text(form, "email", 254),
    )
    return receive_report(draft, actor=Actor.citizen(key.name), uploads=uploads)
