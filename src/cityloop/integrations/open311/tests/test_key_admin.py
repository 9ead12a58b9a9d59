"""The administrator issues a key in the admin site (shown once, stored hashed), revokes it;
the use log is read only; other staff cannot see keys at all."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from cityloop.access import keys
from cityloop.org.models import ApiKey, ApiKeyUse, KeyScope
from cityloop.testing import TinyCity

pytestmark = pytest.mark.django_db


def test_issue_in_the_admin_shows_the_key_once_and_it_works(city: TinyCity) -> None:
    admin = city.admin_client()
    page = admin.post(
        "/admin/org/apikey/add/",
        {
            "name": "区数字城管系统",
            "organisation": "朝阳区城管委",
            "key_scopes": [KeyScope.OPEN311_WRITE, KeyScope.OPEN311_READ],
            "key_units": [city.street_offices[0].pk],
            "rate_per_minute": "60",
        },
        follow=True,
    )
    assert page.status_code == 200
    raw = re.search(r"<code class=.api-key-raw.>(cl_[^<]+)</code>", page.content.decode())
    assert raw, page.content.decode()[:2000]
    key = ApiKey.objects.get()
    assert key.digest == keys.digest_of(raw.group(1)) and raw.group(1) not in key.digest
    assert sorted(key.scopes) == [KeyScope.OPEN311_READ, KeyScope.OPEN311_WRITE]
    assert list(key.units.all()) == [city.street_offices[0]] and key.rate_per_minute == 60
    # shown once: the key's own page does not have it
    detail = admin.get(f"/admin/org/apikey/{key.pk}/change/").content.decode()
    assert raw.group(1) not in detail and key.prefix in detail
    answer = Client().get(f"/open311/v2/requests.json?api_key={raw.group(1)}")
    assert answer.status_code == 200
    # revoke with the action: the key stops working, the use log keeps its uses
    admin.post("/admin/org/apikey/", {"action": "revoke", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert Client().get(f"/open311/v2/requests.json?api_key={raw.group(1)}").status_code == 403
    assert ApiKeyUse.objects.count() == 1
    log = admin.get("/admin/org/apikeyuse/")
    assert log.status_code == 200 and "/open311/v2/requests.json" in log.content.decode()
    use = ApiKeyUse.objects.get()
    assert admin.post(f"/admin/org/apikeyuse/{use.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin.get("/admin/org/apikeyuse/add/").status_code == 403


def test_a_bad_issue_form_is_refused_and_nothing_issued(city: TinyCity) -> None:
    admin = city.admin_client()
    page = admin.post(
        "/admin/org/apikey/add/", {"name": "x", "key_scopes": [], "rate_per_minute": "0"}
    )
    assert page.status_code == 200 and not ApiKey.objects.exists()


def test_only_administrators_see_keys(city: TinyCity) -> None:
    supervisor = city.users["supervisor"]
    supervisor.is_staff = True
    supervisor.save()
    client = city.client("supervisor")
    assert client.get("/admin/org/apikey/").status_code == 403
    assert client.get("/admin/org/apikey/add/").status_code == 403
