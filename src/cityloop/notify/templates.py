"""The message templates: which placeholders they may use, the check an administrator's
edit must pass, and writing one message from a template and an appeal."""

from __future__ import annotations

import string
from typing import Any

from django.utils.translation import gettext as _

# placeholder → what it stands for (shown to administrators when a template is refused)
PLACEHOLDERS: dict[str, str] = {
    "tracking_code": "查询码",
    "title": "诉求标题",
    "unit": "承办单位",
    "deadline": "办结时限",
    "reply": "办理结果",
    "track_url": "进度查询链接",
}


def check_template(text: str) -> str:
    """What is wrong with a template, in the administrator's language; "" when nothing is.
    Only the named placeholders, written plainly ({unit}, no {unit.name} or {0}), are
    allowed: anything else would fail, or leak more than meant, when a message is written."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        return _("模板中的花括号不成对：文字中的 { 或 } 请写成 {{ 或 }}")
    written = [
        name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
        for _literal, name, spec, conversion in parts
        if name is not None
    ]
    unknown = [name for name in written if name not in PLACEHOLDERS]
    if unknown:
        return _("未知的占位符 %(unknown)s。可用的占位符：%(known)s") % {
            "unknown": "、".join("{" + name + "}" for name in unknown),
            "known": "、".join("{" + name + "}" for name in PLACEHOLDERS),
        }
    return ""


def fill(text: str, values: dict[str, Any]) -> str:
    """A checked template with the appeal's values; a template that slipped past the check
    (written straight into the database) is sent as it stands rather than not at all."""
    if check_template(text):
        return text
    return text.format(**{name: values.get(name, "") for name in PLACEHOLDERS})
