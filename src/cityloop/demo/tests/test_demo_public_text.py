"""The demo's bulk writers fill the public text with the same policy as the write path:
the generated city's tracking pages show each case, and never the caller."""

from __future__ import annotations

from datetime import date

from django.test import Client

from cityloop.appeals.models import Appeal, AppealEvent
from cityloop.appeals.public_text import public_fields
from cityloop.demo.generator import generate_demo_city


def test_demo_appeals_carry_their_public_text(db):
    generate_demo_city(seed=7, appeals=150, days=30, streets_per_district=1, end=date(2026, 1, 31))
    appeals = list(Appeal.objects.order_by("pk")[:40])
    for appeal in appeals:
        stored = {f: getattr(appeal, f) for f in public_fields({})}
        assert stored == public_fields(appeal.__dict__)
        assert appeal.public_title and appeal.public_content
    replies = AppealEvent.objects.filter(action="reply").exclude(reason="")
    assert replies.exists() and not replies.filter(public_note="").exists()
    anonymous = Client()
    for appeal in appeals[:10]:
        page = anonymous.get(f"/track/{appeal.tracking_code}/").content.decode()
        assert appeal.public_title in page and appeal.public_content in page
        assert appeal.caller_name not in page and appeal.caller_phone not in page
