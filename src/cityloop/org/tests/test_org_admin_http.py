"""Units and staff as the system administrator edits them in /admin/, and what the loop does
with the edit: who sees which appeal, and whose API token still works."""

from __future__ import annotations

from django.test import Client

from cityloop.org.models import ApiToken, Unit, UnitKind
from cityloop.testing import admin_save


def test_a_units_place_in_the_tree_decides_what_the_district_supervisor_sees(city):
    code = city.receive(street=1).tracking_code
    supervisor = city.client("district_supervisor")
    assert supervisor.get(f"/api/appeals/{code}").status_code == 200

    office = city.street_offices[1]
    admin_save(city.admin_client(), f"/admin/org/unit/{office.pk}/change/", parent=None)
    assert supervisor.get(f"/api/appeals/{code}").status_code == 403

    admin_save(
        city.admin_client(), f"/admin/org/unit/{office.pk}/change/", parent=city.district_gov.pk
    )
    assert supervisor.get(f"/api/appeals/{code}").status_code == 200


def test_a_unit_added_under_the_district_is_in_its_supervisors_subtree(city):
    admin = city.admin_client()
    admin_save(
        admin,
        "/admin/org/unit/add/",
        code="ST-NEW",
        name="新设街道办事处",
        kind=UnitKind.STREET_OFFICE,
        parent=city.district_gov.pk,
    )
    added = Unit.objects.get(code="ST-NEW")
    assert added.is_active and added.parent == city.district_gov
    assert added.pk in city.district_gov.subtree_ids()


def test_moving_a_handler_to_another_unit_moves_what_they_may_see(city):
    first, second = city.receive(street=0).tracking_code, city.receive(street=1).tracking_code
    handler = city.client("handler1")
    assert handler.get(f"/api/appeals/{first}").status_code == 200
    assert handler.get(f"/api/appeals/{second}").status_code == 403

    profile = city.users["handler1"].staff
    admin_save(
        city.admin_client(),
        f"/admin/org/staffprofile/{profile.pk}/change/",
        unit=city.street_offices[1].pk,
    )
    assert handler.get(f"/api/appeals/{first}").status_code == 403
    assert handler.get(f"/api/appeals/{second}").status_code == 200


def test_the_api_token_of_a_user_the_admin_deactivates_is_refused(city):
    user = city.users["calltaker"]
    token = ApiToken.issue(user, "热线接入")
    client = Client(headers={"Authorization": f"Bearer {token}"})
    assert client.get("/api/appeals").status_code == 200

    admin_save(city.admin_client(), f"/admin/auth/user/{user.pk}/change/", is_active=False)
    user.refresh_from_db()
    assert user.is_active is False
    assert client.get("/api/appeals").status_code == 401
    assert client.post("/api/appeals", {"content": "噪音扰民"}).status_code == 401
