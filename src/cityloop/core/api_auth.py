"""API authentication: a staff session (pages, with CSRF) or a bearer token (clients)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from cityloop.org.models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(token), is_active=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        request.user = found.user
        return found.user


STAFF_AUTH = [BearerToken(), django_auth]
