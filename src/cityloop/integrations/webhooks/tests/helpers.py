"""A real receiver on loopback (http.server in a thread) and the key holder's client."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from django.test import Client

from cityloop.access import keys
from cityloop.org.models import KeyScope
from cityloop.testing import TinyCity, post_json


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int


@dataclass
class Receiver:
    """Answers each POST with the next status of `answers` (then 200) and keeps it; `got`
    is set at each request, so a test waits for it instead of polling."""

    url: str
    answers: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    got: threading.Event = field(default_factory=threading.Event)


def start_receiver() -> tuple[Receiver, HTTPServer]:
    server = HTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    receiver = Receiver(url=f"http://127.0.0.1:{server.server_port}/hooks/cityloop")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = receiver.answers.pop(0) if receiver.answers else 200
            receiver.requests.append(Received(self.path, dict(self.headers), body, status))
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
            receiver.got.set()

        def log_message(self, *args: object) -> None:
            return None

    server.RequestHandlerClass = Handler
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver, server


def key_for(city: TinyCity, *, units: Any = (), scopes: Any = (KeyScope.WEBHOOKS,)) -> str:
    """A raw webhooks key issued by the administrator."""
    city.admin_client()
    _key, raw = keys.issue_key(
        actor=city.actor("admin"), name="区城管系统", scopes=scopes, units=units
    )
    return raw


def subscribe(raw: str, url: str, **fields: Any) -> Any:
    client = Client(HTTP_X_API_KEY=raw)
    return post_json(client, "/api/webhooks/subscriptions", {"url": url, **fields})
