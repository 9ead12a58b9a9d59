"""Keys for outside systems: issued by administrators, stored hashed, refused when revoked,
out of scope or over their rate."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from cityloop.access import keys
from cityloop.kernel.errors import PermissionDenied, TooManyRequests
from cityloop.org.models import ApiKey, KeyScope
from cityloop.testing import TinyCity

pytestmark = pytest.mark.django_db


def _request():
    return RequestFactory().post("/open311/v2/requests.json", REMOTE_ADDR="10.0.0.9")


def test_a_key_is_shown_once_stored_hashed_and_checked(city: TinyCity, still_clocks) -> None:
    city.admin_client()
    admin = city.actor("admin")
    key, raw = keys.issue_key(
        actor=admin, name="区数字城管系统", scopes=[KeyScope.OPEN311_WRITE], rate_per_minute=2
    )
    stored = ApiKey.objects.get()
    assert raw not in (stored.digest, stored.prefix) and stored.digest == keys.digest_of(raw)
    assert keys.authenticate(_request(), raw, KeyScope.OPEN311_WRITE) == key
    with pytest.raises(PermissionDenied, match="api_key_scope"):
        keys.authenticate(_request(), raw, KeyScope.SENSOR_WRITE)
    keys.authenticate(_request(), raw, KeyScope.OPEN311_WRITE)
    with pytest.raises(TooManyRequests):  # the third in one minute, over its rate of 2
        keys.authenticate(_request(), raw, KeyScope.OPEN311_WRITE)
    with pytest.raises(PermissionDenied, match="api_key_invalid"):
        keys.authenticate(_request(), raw + "x", KeyScope.OPEN311_WRITE)
    with pytest.raises(PermissionDenied, match="api_key_required"):
        keys.authenticate(_request(), "", KeyScope.OPEN311_WRITE)
    keys.revoke_key(key.pk, actor=admin)
    with pytest.raises(PermissionDenied, match="api_key_revoked"):
        keys.authenticate(_request(), raw, KeyScope.OPEN311_WRITE)
    keys.record_use(key, _request(), 403)
    assert key.uses.get().status == 403


def test_only_an_administrator_issues_keys(city: TinyCity) -> None:
    with pytest.raises(PermissionDenied):
        keys.issue_key(actor=city.actor("supervisor"), name="x", scopes=[KeyScope.WEBHOOKS])
    assert not ApiKey.objects.exists()
