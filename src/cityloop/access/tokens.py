"""API authentication: a staff session (pages, with CSRF) or a bearer token (clients)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from cityloop.kernel import throttle
from cityloop.org.models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        """A token that matches nothing is counted per address, and over the limit the
        address gets 429 instead of 401. A valid token is not counted or checked: tokens
        carry 256 random bits, so the limit is against load from guessing, and a client's
        ordinary calls cost no extra queries."""
        found = (
            # the staff profile and unit come along: every endpoint needs the actor
            ApiToken.objects.select_related("user__staff__unit")
            .filter(digest=ApiToken.digest_of(token), is_active=True, user__is_active=True)
            .first()
        )
        if found is None:
            throttle.spend(request, "token_failure_per_ip", throttle.client_ip(request))
            return None
        request.user = found.user
        return found.user


STAFF_AUTH = [BearerToken(), django_auth]
