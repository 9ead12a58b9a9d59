"""A source city for the backup tests, made through the services in a subprocess (the
database the CLI backs up is its own, not pytest-django's test database).

python -m cityloop.backup.tests.city build          the tiny city, appeals in several states,
                                                     events, attachments with real bytes
python -m cityloop.backup.tests.city write STOPFILE  receive appeals (some with a photo) until
                                                     STOPFILE exists; one line per appeal
"""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta
from pathlib import Path

REPORT_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityloop.settings")
    import django

    django.setup()


def _upload(name: str, data: bytes, content_type: str) -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type)


def build() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from cityloop.access.actors import Actor
    from cityloop.evaluate.services import record_callback
    from cityloop.handling.attachments import attach
    from cityloop.handling.services import close, defer, sign_for
    from cityloop.intake.services import AppealDraft, receive_report
    from cityloop.kernel import clock
    from cityloop.testing import build_tiny_city, png_bytes

    city = build_tiny_city()
    received = city.receive(content="光华路路灯整夜不亮")  # dispatched, not signed for
    attach(
        received.tracking_code,
        actor=city.actor("calltaker"),
        uploads=[_upload("路灯.png", png_bytes(12), "image/png")],
    )
    reported = receive_report(  # a citizen's report with two photos (web channel)
        AppealDraft(
            channel="web",
            title="",
            content="朝外街道小区门口井盖缺失，很危险",
            caller_name="王女士",
            caller_phone="13900139000",
            standard_address_code=city.addresses[1].code,
        ),
        actor=Actor.citizen("王女士"),
        uploads=[
            _upload("井盖1.png", png_bytes(16), "image/png"),
            _upload("井盖2.png", png_bytes(20), "image/png"),
        ],
    )
    replied = city.replied(street=1, text="已更换井盖并设置警示标志")
    attach(
        replied.tracking_code,
        actor=city.actor("handler2"),
        uploads=[_upload("处理报告.pdf", REPORT_PDF, "application/pdf")],
    )
    closed = city.replied(text="路灯已修复，经现场核实恢复照明")
    record_callback(
        closed.tracking_code,
        actor=city.actor("calltaker"),
        contacted=True,
        resolved=True,
        satisfaction="satisfied",
    )
    close(closed.tracking_code, actor=city.actor("supervisor"))
    deferred = city.receive()
    sign_for(deferred.tracking_code, actor=city.actor("handler1"))
    defer(
        deferred.tracking_code,
        actor=city.actor("handler1"),
        reason="需列入明年改造计划",
        planned_date=clock.today() + timedelta(days=60),
    )
    for appeal in (received, reported, replied, closed, deferred):
        print(appeal.tracking_code)


def write(stop_file: Path) -> None:
    """Appeals received one after another, every third with a photo, until told to stop."""
    from django.contrib.auth import get_user_model

    from cityloop.access.actors import Actor
    from cityloop.handling.attachments import attach
    from cityloop.intake.services import AppealDraft, receive_appeal
    from cityloop.taxonomy.models import Category
    from cityloop.testing import png_bytes

    calltaker = Actor.from_user(get_user_model().objects.get(username="calltaker"))
    category = Category.objects.get(path="城乡建设 › 城市建设和市政管理 › 城市公共设施")
    written = 0
    deadline = time.monotonic() + 120
    while not stop_file.exists() and time.monotonic() < deadline:
        draft = AppealDraft(
            channel="phone",
            title="路灯不亮",
            content=f"写入中的诉求 {written}",
            caller_phone="13800138000",
            standard_address_code="A1",
            category_code=category.code,
        )
        appeal = receive_appeal(draft, actor=calltaker)
        if written % 3 == 0:
            attach(
                appeal.tracking_code,
                actor=calltaker,
                uploads=[_upload(f"w{written}.png", png_bytes(8 + written % 5), "image/png")],
            )
        written += 1
        print(written, flush=True)


if __name__ == "__main__":
    _setup()
    if sys.argv[1:2] == ["build"]:
        build()
    elif sys.argv[1:2] == ["write"] and len(sys.argv) == 3:
        write(Path(sys.argv[2]))
    else:
        sys.exit(__doc__)
