"""Photos from citizens and evidence from units, checked before anything is stored.

What a file is is decided by decoding it, never by its name, its declared type or its first
bytes: a file that starts like a GIF but holds HTML is not an image. The accepted kinds and
the limits live here and nowhere else (the upload fields take their `accept` from here)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from cityloop.access.actors import Actor
from cityloop.appeals.services.core import apply, lock_appeal
from cityloop.handling.models import Attachment
from cityloop.kernel import clock
from cityloop.kernel.errors import DomainError

MAX_FILES = 6
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a phone photo is ~12 MP; more is a decompression bomb
# Pillow's format name → the content type the file is served with
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
PDF = "application/pdf"
ACCEPT = "image/jpeg,image/png,image/gif,image/webp,application/pdf"
_PDF_END = re.compile(rb"%%EOF\s*$")


def _invalid(message: Any, **params: Any) -> DomainError:
    error = DomainError("invalid_attachment", message, **params)
    error.params["field"] = "attachments"
    return error


def _image_type(upload: Any) -> str | None:
    """The content type if the whole file decodes as an accepted image, else None."""
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            if kind not in IMAGE_FORMATS or image.width * image.height > MAX_PIXELS:
                return None
            image.verify()  # structure and checksums
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()  # every pixel decodes
        return IMAGE_FORMATS[kind]
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        upload.seek(0)


def _is_pdf(upload: Any) -> bool:
    """A PDF header, a PDF trailer, and no HTML in the head (Pillow cannot decode PDFs)."""
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(max(0, upload.size - 1024))
    tail = upload.read()
    upload.seek(0)
    return (
        head.startswith(b"%PDF-")
        and bool(_PDF_END.search(tail))
        and b"<html" not in head.lower()
        and b"<script" not in head.lower()
    )


def _kind(upload: Any) -> str:
    content_type = _image_type(upload) or (PDF if _is_pdf(upload) else None)
    if content_type is None:
        raise _invalid(
            _("只能上传能正常打开的图片（JPG、PNG、GIF、WebP）或 PDF：%(name)s"), name=upload.name
        )
    return content_type


def check_uploads(uploads: Sequence[Any]) -> list[str]:
    """The content type of each upload, or a clear error before anything changes."""
    if len(uploads) > MAX_FILES:
        raise _invalid(_("一次最多上传 %(n)s 个文件"), n=MAX_FILES)
    types = []
    for upload in uploads:
        if not upload.size:
            raise _invalid(_("文件是空的：%(name)s"), name=upload.name)
        if upload.size > MAX_BYTES:
            raise _invalid(
                _("文件过大（最大 %(mb)s MB）：%(name)s"), mb=MAX_BYTES // 2**20, name=upload.name
            )
        types.append(_kind(upload))
    return types


def attach(tracking_code: str, *, actor: Actor, uploads: Sequence[Any]) -> list[Attachment]:
    """Store the files with the appeal and record who added them; "uploading" nothing is
    refused, so the timeline never shows an upload without a file."""
    if not uploads:
        raise _invalid(_("请选择要上传的文件"))
    types = check_uploads(uploads)
    with transaction.atomic():
        appeal = lock_appeal(tracking_code)
        names = "、".join(u.name[:60] for u in uploads)
        apply(appeal, "attach", actor, fields={}, reason=names)
        name_limit = Attachment._meta.get_field("name").max_length or 200
        return [
            Attachment.objects.create(
                appeal=appeal,
                file=upload,
                name=upload.name[:name_limit],
                content_type=content_type,
                size=upload.size,
                uploaded_by=actor.label[:100],
                uploaded_at=clock.now(),
            )
            for upload, content_type in zip(uploads, types, strict=True)
        ]
