"""The guard against server-side request forgery: a webhook goes only to an http(s) URL
whose host resolves to public addresses, unless CITYLOOP_WEBHOOKS_ALLOW_PRIVATE allows
private and loopback ones (a closed government network, the tests). Checked when a
subscription is made and again before every try, and the connection goes to the address
that was checked (a name that resolves differently the second time gains nothing)."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cityloop.kernel.errors import invalid_field

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    ip: str


def _is_public(ip: IPAddress) -> bool:
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_global and not ip.is_multicast


def check_url(url: str) -> Target:
    """Where `url` points, resolved and allowed; else `invalid_url` (400)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise invalid_field("url", _("推送地址格式不正确")) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise invalid_field("url", _("推送地址须以 http:// 或 https:// 开头"))
    if parts.username or parts.password:
        raise invalid_field("url", _("推送地址不能包含用户名或密码"))
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise invalid_field("url", _("推送地址的主机名无法解析")) from None
    ips = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]
    allow_private = settings.CITYLOOP_WEBHOOKS_ALLOW_PRIVATE
    if not ips or not (allow_private or all(_is_public(ip) for ip in ips)):
        raise invalid_field("url", _("推送地址不能指向内网或本机地址"))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, parts.hostname, port, path, str(ips[0]))
