"""Categories as the administrator edits them in /admin/: a category switched off is refused
at intake, in the caller's language, and nothing is written."""

from __future__ import annotations

from cityloop.appeals.models import Appeal
from cityloop.testing import admin_save, intake_over_api


def test_a_category_the_admin_deactivates_is_refused_at_intake_with_a_400(city):
    lights = city.category("城乡建设", "城市建设和市政管理", "城市公共设施")
    assert intake_over_api(city).status_code == 201

    admin_save(
        city.admin_client(), f"/admin/taxonomy/category/{lights.pk}/change/", is_active=False
    )
    refused = intake_over_api(city)
    assert refused.status_code == 400, refused.content
    body = refused.json()
    assert body["field"] == "category" and lights.code in body["message"]
    assert "分类" in body["message"]
    assert Appeal.objects.count() == 1

    admin_save(city.admin_client(), f"/admin/taxonomy/category/{lights.pk}/change/", is_active=True)
    assert intake_over_api(city).status_code == 201


def test_a_category_the_admin_adds_can_be_chosen_at_intake(city):
    parent = city.category("城乡建设", "城市建设和市政管理")
    admin_save(
        city.admin_client(),
        "/admin/taxonomy/category/add/",
        code="TEST-NEW-3",
        name="共享单车停放",
        level=3,
        parent=parent.pk,
        path=f"{parent.path} › 共享单车停放",
    )
    created = intake_over_api(city, category_code="TEST-NEW-3", auto_dispatch=True)
    assert created.status_code == 201, created.content
    appeal = Appeal.objects.get(tracking_code=created.json()["tracking_code"])
    assert appeal.category.name == "共享单车停放"
    # the new category inherits its parent's rule: 市政管理 goes to the street of the place
    assert appeal.main_unit == city.street_offices[0]
