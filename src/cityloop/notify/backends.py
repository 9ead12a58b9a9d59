"""Where messages go, chosen by setting (CITYLOOP_NOTIFY_SMS_BACKEND, _EMAIL_BACKEND):

- FileSms / FileEmail (the default): write what would be sent under the data folder
  (outbox/sms/<key>.txt, outbox/email/<key>.eml) and print a line saying so;
- SmtpEmail: Django's mail, configured by the EMAIL_* settings;
- HttpSmsGateway: an example SMS gateway over HTTP (CITYLOOP_SMS_GATEWAY_*).

Every backend is given the message's idempotency key. The file backends keep one file per
key, created atomically: a message tried again after its worker died between sending and
recording it is found there and not written twice. A real gateway is handed the key as its
Idempotency-Key for the same reason."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
from email.message import EmailMessage as MimeMessage
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from cityloop.access.personal_data import mask_phone


class SendFailed(Exception):
    """The backend could not deliver the message now; it is tried again later."""


class SmsGateway(Protocol):
    def send(self, to: str, text: str, key: str) -> str:
        """Send one SMS; return the provider's id for it. Raise SendFailed when not sent."""


class EmailSender(Protocol):
    def send(self, to: str, subject: str, body: str, key: str) -> str:
        """Send one e-mail; return its id. Raise SendFailed when not sent."""


def sms_backend() -> SmsGateway:
    return import_string(settings.CITYLOOP_NOTIFY_SMS_BACKEND)()  # type: ignore[no-any-return]


def email_backend() -> EmailSender:
    return import_string(settings.CITYLOOP_NOTIFY_EMAIL_BACKEND)()  # type: ignore[no-any-return]


def outbox_folder(channel: str) -> Path:
    return Path(settings.DATA_DIR) / "outbox" / channel


def _write_once(folder: Path, name: str, content: bytes) -> bool:
    """Create folder/name with the content unless it exists; True when written now. The
    content is written to a temporary file first and linked into place, so the file is
    there whole or not at all, and of two writers only one can create it."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".writing-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, folder / name)
        except FileExistsError:
            return False
    finally:
        os.unlink(temporary)
    # For the crash tests: a worker killed here has sent but not yet recorded it.
    pause = float(os.environ.get("CITYLOOP_NOTIFY_PAUSE_AFTER_SEND", "0") or 0)
    if pause:
        print(f"notify: sent {name}, pausing {pause} s", flush=True)
        time.sleep(pause)
    return True


class FileSms:
    def send(self, to: str, text: str, key: str) -> str:
        name = f"{key}.txt"
        if _write_once(outbox_folder("sms"), name, f"To: {to}\n\n{text}\n".encode()):
            print(f"notify: SMS to {mask_phone(to)} → outbox/sms/{name}", flush=True)
        return f"file:sms/{name}"


class FileEmail:
    def send(self, to: str, subject: str, body: str, key: str) -> str:
        message = MimeMessage()
        message["To"] = to
        message["From"] = settings.DEFAULT_FROM_EMAIL
        message["Subject"] = subject
        message["Message-ID"] = message_id(key)
        message.set_content(body)
        name = f"{key}.eml"
        if _write_once(outbox_folder("email"), name, bytes(message)):
            print(f"notify: e-mail ({subject}) → outbox/email/{name}", file=sys.stdout, flush=True)
        return f"file:email/{name}"


def message_id(key: str) -> str:
    """The same key gives the same Message-ID: a mail system that sees it twice can drop
    the second."""
    return f"<{key}@{settings.CITYLOOP_NOTIFY_MAIL_DOMAIN}>"


class SmtpEmail:
    def send(self, to: str, subject: str, body: str, key: str) -> str:
        mail = EmailMessage(
            subject, body, to=[to], headers={"Message-ID": message_id(key), "X-Cityloop-Key": key}
        )
        try:
            mail.send(fail_silently=False)
        except OSError as error:  # smtplib's errors are OSErrors
            raise SendFailed(f"SMTP: {error}") from error
        return message_id(key)


class HttpSmsGateway:
    """An SMS gateway with a JSON API: POST {to, text, sign} with the key in the
    Idempotency-Key header, answered by {"id": "..."}. Configured by
    CITYLOOP_SMS_GATEWAY_URL, _TOKEN and _SIGN."""

    def __init__(self) -> None:
        self.url = settings.CITYLOOP_SMS_GATEWAY_URL
        self.token = settings.CITYLOOP_SMS_GATEWAY_TOKEN
        self.sign = settings.CITYLOOP_SMS_GATEWAY_SIGN

    def send(self, to: str, text: str, key: str) -> str:
        if not self.url:
            raise SendFailed("CITYLOOP_SMS_GATEWAY_URL is not set")
        body = json.dumps({"to": to, "text": text, "sign": self.sign}).encode()
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.token}",
                "Idempotency-Key": key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise SendFailed(f"SMS gateway: HTTP {error.code}") from error
        except (OSError, ValueError) as error:
            raise SendFailed(f"SMS gateway: {error}") from error
        provider_id = str(answer.get("id") or "") if isinstance(answer, dict) else ""
        if not provider_id:
            raise SendFailed("SMS gateway: no message id in the answer")
        return provider_id
