"""Who is acting and what they may see (access/actors.py), met as each role meets it: the
appeals list of the API and the appeal itself, for one appeal in each of two streets."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from cityloop.testing import PASSWORD


@pytest.fixture
def two_streets(city):
    """One appeal held by each street office, both under the district government."""
    return city, [city.receive(street=0).tracking_code, city.receive(street=1).tracking_code]


def listed(client: Client) -> set[str]:
    response = client.get("/api/appeals")
    assert response.status_code == 200, response.content
    return {row["tracking_code"] for row in response.json()}


@pytest.mark.parametrize(
    ("username", "sees"),
    [
        ("handler1", {0}),  # a street office: its own street's appeal
        ("handler2", {1}),
        ("waterman", set()),  # the water company holds neither
        ("district_supervisor", {0, 1}),  # the units under the district government
        ("dispatcher", {0, 1}),  # the 12345 centre's own staff see every appeal
        ("calltaker", {0, 1}),
        ("analyst", {0, 1}),
    ],
)
def test_each_role_lists_the_appeals_of_its_units(two_streets, username, sees):
    city, codes = two_streets
    assert listed(city.client(username)) == {codes[i] for i in sees}


def test_an_appeal_outside_the_units_is_refused_not_shown(two_streets):
    city, codes = two_streets
    handler = city.client("handler1")
    assert handler.get(f"/api/appeals/{codes[0]}").status_code == 200
    refused = handler.get(f"/api/appeals/{codes[1]}")
    assert refused.status_code == 403
    assert "caller_phone" not in refused.content.decode()


def test_the_analyst_reads_the_case_without_the_caller(two_streets):
    city, codes = two_streets
    staff = city.client("dispatcher").get(f"/api/appeals/{codes[0]}").json()
    analyst = city.client("analyst").get(f"/api/appeals/{codes[0]}").json()
    assert staff["caller_phone"] == "13800138000"
    assert "13800138000" not in str(analyst)
    assert analyst["category"] == staff["category"]  # the facts of the case stay


def test_an_account_that_is_not_staff_is_refused_in_its_language(two_streets):
    visitor = Client()
    visitor.force_login(get_user_model().objects.create_user("visitor", password=PASSWORD))
    refused = visitor.get("/api/appeals")
    assert refused.status_code == 403
    assert refused.json()["message"] == "该账号不是工作人员，无权办理诉求"
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the choice in the top bar
    english = visitor.get("/api/appeals")
    assert english.status_code == 403 and "staff" in english.json()["message"]


def test_a_superuser_without_a_unit_acts_as_administrator(two_streets):
    _city, codes = two_streets
    root = Client()
    root.force_login(get_user_model().objects.create_superuser("root", password=PASSWORD))
    assert listed(root) == set(codes)
