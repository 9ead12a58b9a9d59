"""Rows written before the public text existed get it from the migration."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("appeals", "0005_sign_and_defer_watch"), ("evaluate", "0001_initial")]


def test_migration_fills_public_text_of_existing_rows(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    unit = old.get_model("org", "Unit").objects.create(code="U1", name="建外街道办事处")
    appeal = old.get_model("appeals", "Appeal").objects.create(
        tracking_code="261120ABCDEF",
        channel="phone",
        title="我叫张伟，电话138 1234 5678",
        content="住3号楼2单元301室，2026年11月20日起停水",
        caller_name="张伟",
        address_text="光华路1号院3号楼",
        reply_text="已联系诉求人张伟",
        received_at=timezone.now(),
    )
    old.get_model("appeals", "AppealEvent").objects.create(
        appeal=appeal, seq=1, action="reply", at=timezone.now(), actor_name="x", reason="王师傅已修"
    )
    old.get_model("evaluate", "Callback").objects.create(
        appeal=appeal, unit=unit, at=timezone.now(), comment="张伟满意，电话010-64561234"
    )

    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()  # the schema the other tests expect
    executor.migrate(latest)
    new = executor.loader.project_state(latest).apps
    filled = new.get_model("appeals", "Appeal").objects.get(pk=appeal.pk)
    assert filled.public_title == "我叫**，电话*** **** ****"
    assert filled.public_content == "住*号楼*单元***室，2026年11月20日起停水"
    assert filled.public_address == "光华路*号院*号楼"
    assert filled.public_reply == "已联系诉求人**"
    event = new.get_model("appeals", "AppealEvent").objects.get(appeal_id=appeal.pk)
    assert event.public_note == "*师傅已修"
    callback = new.get_model("evaluate", "Callback").objects.get(appeal_id=appeal.pk)
    assert callback.public_comment == "**满意，电话***-********"
