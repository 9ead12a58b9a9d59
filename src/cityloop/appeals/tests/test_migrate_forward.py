"""A database made before the stage records left `appeals` (extension requests and supervision
orders → oversight, attachments → handling) migrates forward with every row intact and the
permissions given on those models still in force. benchmarks/migrate_forward.py does the same
on a whole demo city built by an older main."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cityloop.appeals.models import Appeal
from cityloop.handling.attachments import attach
from cityloop.handling.models import Attachment
from cityloop.kernel import clock
from cityloop.oversight.models import ExtensionRequest, SupervisionOrder
from cityloop.oversight.services import supervise
from cityloop.testing import intake_over_api, png_bytes

BEFORE_THE_MOVE = [("appeals", "0006_public_text")]
MOVED = {"extensionrequest": "oversight", "supervisionorder": "oversight", "attachment": "handling"}


def _migrate(targets: list[tuple[str, str | None]] | None = None) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return MigrationExecutor(connection)  # a fresh loader sees the state just reached


def _label_of(model: str) -> str:
    return ContentType.objects.get(model=model, app_label__in=["appeals", MOVED[model]]).app_label


@pytest.mark.django_db(transaction=True)
def test_stage_records_survive_the_move_with_their_permissions(city_tx):
    code = intake_over_api(city_tx, auto_dispatch=True).json()["tracking_code"]
    order = supervise(code, actor=city_tx.actor("supervisor"), requirement="请今日内到现场核实")
    photo = attach(
        code, actor=city_tx.actor("handler1"), uploads=[SimpleUploadedFile("现场.png", png_bytes())]
    )[0]
    # the permission a group was given on the model before it moved
    checkers = Group.objects.create(name="督办核查")
    checkers.permissions.add(Permission.objects.get(codename="change_supervisionorder"))

    old = _migrate(BEFORE_THE_MOVE).loader.project_state(BEFORE_THE_MOVE).apps
    assert {model: _label_of(model) for model in MOVED} == dict.fromkeys(MOVED, "appeals")
    old_appeal = old.get_model("appeals", "Appeal").objects.get(tracking_code=code)
    now = clock.now()
    old.get_model("appeals", "ExtensionRequest").objects.create(
        appeal=old_appeal,
        unit_id=city_tx.street_offices[0].pk,
        requested_by_id=city_tx.users["handler1"].pk,
        requested_at=now,
        extra_working_days=3,
        reason="需协调物业，申请延期",
        old_due_at=now + timedelta(days=1),
    )

    _migrate()

    assert {model: _label_of(model) for model in MOVED} == MOVED
    appeal = Appeal.objects.get(tracking_code=code)
    assert list(appeal.supervision_orders.values_list("pk", "requirement")) == [
        (order.pk, "请今日内到现场核实")
    ]
    assert Attachment.objects.get(pk=photo.pk).name == "现场.png"
    assert ExtensionRequest.objects.get(appeal=appeal).reason == "需协调物业，申请延期"
    assert SupervisionOrder.objects.count() == 1
    assert checkers.permissions.get().content_type.app_label == "oversight"
    # and the supervisor's board and the appeal page read them through the new apps
    page = city_tx.client("supervisor").get(f"/appeals/{code}/")
    assert "需协调物业，申请延期" in page.content.decode()
    assert "请今日内到现场核实" in page.content.decode()
