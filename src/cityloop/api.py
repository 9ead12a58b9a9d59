"""The JSON API: only wiring. OpenAPI docs are served offline at /api/docs."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from cityloop.appeals.api import router as appeals_router
from cityloop.appeals.public_api import router as public_router
from cityloop.appeals.understanding_api import router as understanding_router
from cityloop.core.errors import DomainError, TooManyRequests
from cityloop.evaluate.api import router as evaluate_router

api = NinjaAPI(title="cityloop API", version="1", urls_namespace="api")
api.add_router("/", appeals_router)
api.add_router("/", evaluate_router)
api.add_router("/", understanding_router)
api.add_router("/public", public_router)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    body = {"code": exc.code, "message": exc.message, "field": exc.params.get("field")}
    response = api.create_response(request, body, status=exc.status)
    if isinstance(exc, TooManyRequests):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    location = [str(part) for part in first.get("loc", []) if part not in ("body", "payload")]
    body = {
        "code": "invalid_input",
        "message": f"{'.'.join(location)}: {first.get('msg', '')}".strip(": "),
        "field": location[-1] if location else None,
        "errors": exc.errors,
    }
    return api.create_response(request, body, status=422)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    body = {"code": "unauthenticated", "message": str(_("请先登录或提供有效的 API 令牌"))}
    return api.create_response(request, body, status=401)
