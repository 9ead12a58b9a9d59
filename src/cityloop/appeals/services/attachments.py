"""Photos from citizens and evidence from units, checked before anything is stored."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cityloop.appeals.actors import Actor
from cityloop.appeals.models import Attachment
from cityloop.appeals.services.core import apply, lock_appeal
from cityloop.core import clock
from cityloop.core.errors import DomainError

MAX_FILES = 6
MAX_BYTES = 10 * 1024 * 1024
# What the first bytes of an accepted file look like: the declared type is not trusted.
SIGNATURES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"GIF8": "image/gif",
    b"RIFF": "image/webp",
    b"%PDF": "application/pdf",
}


def _invalid(message: Any, **params: Any) -> DomainError:
    error = DomainError("invalid_attachment", message, **params)
    error.params["field"] = "attachments"
    return error


def _sniff(upload: Any) -> str:
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type in SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    raise _invalid(_("只能上传图片（JPG、PNG、GIF、WebP）或 PDF：%(name)s"), name=upload.name)


def check_uploads(uploads: Sequence[Any]) -> list[str]:
    """The content type of each upload, or a clear error before anything changes."""
    if len(uploads) > MAX_FILES:
        raise _invalid(_("一次最多上传 %(n)s 个文件"), n=MAX_FILES)
    types = []
    for upload in uploads:
        if upload.size > MAX_BYTES:
            raise _invalid(_("文件过大（最大 10 MB）：%(name)s"), name=upload.name)
        types.append(_sniff(upload))
    return types


def attach(tracking_code: str, *, actor: Actor, uploads: Sequence[Any]) -> list[Attachment]:
    types = check_uploads(uploads)
    if not uploads:
        return []
    with transaction.atomic():
        appeal = lock_appeal(tracking_code)
        names = "、".join(u.name[:60] for u in uploads)
        apply(appeal, "attach", actor, fields={}, reason=names)
        return [
            Attachment.objects.create(
                appeal=appeal,
                file=upload,
                name=upload.name[:200],
                content_type=content_type,
                size=upload.size,
                uploaded_by=actor.label[:100],
                uploaded_at=clock.now(),
            )
            for upload, content_type in zip(uploads, types, strict=True)
        ]
