"""Places as intake meets them: a standard address the administrator adds in /admin/, a
point inside a street's boundary, an address code that does not exist."""

from __future__ import annotations

from cityloop.appeals.models import Appeal
from cityloop.geo.models import StandardAddress
from cityloop.testing import admin_save, intake_over_api


def main_unit_of(response) -> str:
    assert response.status_code == 201, response.content
    return response.json()["main_unit"]["code"]


def test_a_standard_address_the_admin_adds_dispatches_to_its_street(city):
    admin_save(
        city.admin_client(),
        "/admin/geo/standardaddress/add/",
        code="A-NEW",
        full_text="北京市朝阳区朝外街道光华路9号",
        road="光华路",
        number="9号",
        lat=39.95,
        lng=116.55,
        grid=city.grids[1].pk,
    )
    assert StandardAddress.objects.get(code="A-NEW").grid == city.grids[1]
    created = intake_over_api(city, standard_address_code="A-NEW", auto_dispatch=True)
    assert main_unit_of(created) == city.street_offices[1].code
    appeal = Appeal.objects.get(tracking_code=created.json()["tracking_code"])
    assert appeal.grid == city.grids[1]


def test_a_point_inside_a_streets_boundary_goes_to_that_street(city):
    for lng, office in [(116.45, city.street_offices[0]), (116.55, city.street_offices[1])]:
        created = intake_over_api(
            city, standard_address_code="", lat=39.95, lng=lng, auto_dispatch=True
        )
        assert main_unit_of(created) == office.code


def test_an_unknown_address_code_is_refused_with_a_400_and_nothing_is_written(city):
    refused = intake_over_api(city, standard_address_code="NO-SUCH", auto_dispatch=True)
    assert refused.status_code == 400, refused.content
    assert "NO-SUCH" in refused.json()["message"]
    assert Appeal.objects.count() == 0
