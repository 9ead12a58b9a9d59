"""Every answer the API gives on its own (bad JSON, a wrong content type, a failed
validation, no token, an unexpected fault) in the one declared error body, ErrorOut
{code, message, field}, with the message in the user's language."""

from __future__ import annotations

import inspect
import json
import logging
from typing import Any

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_ratelimit.exceptions import Ratelimited
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError, ValidationErrorContext
from ninja.operation import Operation
from ninja.parser import Parser
from pydantic import BaseModel

from cityloop.kernel.errors import DomainError, TooManyRequests

logger = logging.getLogger("cityloop.api")

# The places ninja reads from; they are not part of the field's name.
_SOURCES = {"body", "payload", "query", "path", "filters", "header", "cookie", "form"}


class UnsupportedMediaType(DomainError):
    status = 415


class JsonParser(Parser):
    """Bodies are JSON and nothing else: a body sent as text/plain or as a form is refused
    (415) instead of being read as if it were JSON."""

    def parse_body(self, request: HttpRequest) -> Any:
        content_type = (request.content_type or "").lower()
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise UnsupportedMediaType(
                "unsupported_media_type",
                gettext_lazy(
                    "请求体须为 JSON（Content-Type: application/json），收到的是 %(type)s"
                ),
                type=content_type or "-",
            )
        return json.loads(request.body)


# pydantic's error types → a sentence for a 12345 centre's staff or a citizen.
_MESSAGES: dict[str, Any] = {
    "missing": gettext_lazy("请填写%(label)s"),
    "string_too_long": gettext_lazy("%(label)s最多 %(max_length)s 个字"),
    "string_too_short": gettext_lazy("%(label)s至少 %(min_length)s 个字"),
    "too_long": gettext_lazy("%(label)s最多 %(max_length)s 项"),
    "string_type": gettext_lazy("%(label)s应为文字"),
    "int_parsing": gettext_lazy("%(label)s应为整数"),
    "int_type": gettext_lazy("%(label)s应为整数"),
    "int_from_float": gettext_lazy("%(label)s应为整数"),
    "int_parsing_size": gettext_lazy("%(label)s数值过大"),
    "float_parsing": gettext_lazy("%(label)s应为数字"),
    "float_type": gettext_lazy("%(label)s应为数字"),
    "finite_number": gettext_lazy("%(label)s应为有限的数字"),
    "bool_parsing": gettext_lazy("%(label)s应为“是”或“否”（true / false）"),
    "bool_type": gettext_lazy("%(label)s应为“是”或“否”（true / false）"),
    "greater_than_equal": gettext_lazy("%(label)s不能小于 %(ge)s"),
    "greater_than": gettext_lazy("%(label)s须大于 %(gt)s"),
    "less_than_equal": gettext_lazy("%(label)s不能大于 %(le)s"),
    "less_than": gettext_lazy("%(label)s须小于 %(lt)s"),
    "date_parsing": gettext_lazy("%(label)s应为日期，如 2026-12-31"),
    "date_from_datetime_parsing": gettext_lazy("%(label)s应为日期，如 2026-12-31"),
    "date_from_datetime_inexact": gettext_lazy("%(label)s应为日期，如 2026-12-31"),
    "date_type": gettext_lazy("%(label)s应为日期，如 2026-12-31"),
    "enum": gettext_lazy("%(label)s应为以下之一：%(expected)s"),
    "literal_error": gettext_lazy("%(label)s应为以下之一：%(expected)s"),
    "list_type": gettext_lazy("%(label)s应为列表"),
    "model_attributes_type": gettext_lazy("请求体应为 JSON 对象"),
    "model_type": gettext_lazy("请求体应为 JSON 对象"),
    "dict_type": gettext_lazy("请求体应为 JSON 对象"),
    "nul_character": gettext_lazy("%(label)s含有不允许的控制字符"),
}
_FALLBACK = gettext_lazy("%(label)s填写有误")


def _title_at(model: Any, loc: tuple[Any, ...]) -> str | None:
    """The title (Chinese name) the schema gives the field at `loc`, if any."""
    title, cls = None, model
    for part in loc:
        fields = getattr(cls, "model_fields", None)
        if not isinstance(part, str) or not fields or part not in fields:
            continue
        info = fields[part]
        title = info.title or title
        annotation = info.annotation
        cls = (
            annotation
            if inspect.isclass(annotation) and issubclass(annotation, BaseModel)
            else None
        )
    return title


def _field_path(loc: tuple[Any, ...], error: dict[str, Any]) -> list[str]:
    path = [str(part) for part in loc if part not in _SOURCES]
    if error.get("type") == "nul_character":
        path.append(str(error.get("ctx", {}).get("field", "")))
    return path


def explain(error: dict[str, Any]) -> str:
    """One pydantic error as a sentence in the user's language."""
    path = error.get("field_path") or []
    # titles are Chinese model verbose names / schema titles: shown in the user's language
    label = _(error["label"]) if error.get("label") else (path[-1] if path else _("请求"))
    ctx = {k: v for k, v in (error.get("ctx") or {}).items() if isinstance(v, str | int | float)}
    template = _MESSAGES.get(error.get("type", ""), _FALLBACK)
    if error.get("type") == "string_too_short" and ctx.get("min_length") == 1:
        template = _MESSAGES["missing"]
    try:
        return str(template) % {**ctx, "label": label}
    except (KeyError, TypeError, ValueError):
        return str(_FALLBACK) % {"label": label}


def _status_code(status: int) -> str:
    return {
        400: "bad_request",
        401: "unauthenticated",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        415: "unsupported_media_type",
        429: "too_many_requests",
    }.get(status, "error")


def _status_message(status: int) -> str:
    messages = {
        400: _("请求格式有误"),
        401: _("请先登录或提供有效的 API 令牌"),
        403: _("无权执行此操作"),
        404: _("请求的内容不存在"),
        405: _("不支持此请求方式"),
        415: _("请求体须为 JSON（Content-Type: application/json）"),
        429: _("操作过于频繁，请稍后再试"),
    }
    return messages.get(status, _("请求无法处理"))


# An operation id is part of the published API (clients are generated from it); ninja builds
# it from the view's module, so a route moved to another package keeps the module it was
# first published from.
PUBLISHED_MODULE = {
    "cityloop.intake.api": "cityloop.appeals.api",
    "cityloop.intake.understanding_api": "cityloop.appeals.understanding_api",
    "cityloop.intake.public_api": "cityloop.appeals.public_api",
    "cityloop.dispatch.api": "cityloop.appeals.api",
    "cityloop.handling.api": "cityloop.appeals.api",
    "cityloop.oversight.api": "cityloop.appeals.api",
    "cityloop.evaluate.public_api": "cityloop.appeals.public_api",
    "cityloop.assessment.api": "cityloop.evaluate.api",
}


class CityloopAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        module = operation.view_func.__module__
        published = PUBLISHED_MODULE.get(module, module)
        return f"{published}_{operation.view_func.__name__}".replace(".", "_")

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext[Any]]
    ) -> ValidationError:
        """Ninja's errors, each with the field's Chinese name and a plain sentence."""
        found = super().validation_error_from_error_contexts(error_contexts)
        raw = [
            (context.model, error)
            for context in error_contexts
            for error in context.pydantic_validation_error.errors(include_url=False)
        ]
        for item, (model, error) in zip(found.errors, raw, strict=True):
            path = _field_path(tuple(item.get("loc", ())), item)
            loc = tuple(error["loc"]) + ((path[-1],) if item.get("type") == "nul_character" else ())
            item["field_path"] = path
            item["label"] = _title_at(model, loc)
            item["msg"] = explain(item)
        return found


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "field": field}


def install(api: NinjaAPI) -> None:
    """Every error the API answers, in ErrorOut."""

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        body = error_body(exc.code, exc.message, exc.params.get("field"))
        response = api.create_response(request, body, status=exc.status)
        if isinstance(exc, TooManyRequests):
            response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        first = exc.errors[0] if exc.errors else {}
        path = first.get("field_path") or []
        body = {
            **error_body("invalid_input", str(first.get("msg", "")), path[-1] if path else None),
            "errors": [
                {k: v for k, v in e.items() if k not in ("field_path", "url")} for e in exc.errors
            ],
        }
        return api.create_response(request, body, status=422)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        cause = exc.__cause__
        if isinstance(cause, DomainError):  # raised by the parser, wrapped by ninja
            return domain_error(request, cause)
        if exc.status_code == 400 and cause is not None:  # ninja could not parse the body
            body = error_body(
                "invalid_json", _("请求体不是有效的 JSON（须为 UTF-8 编码的 JSON 对象）")
            )
            return api.create_response(request, body, status=400)
        body = error_body(_status_code(exc.status_code), _status_message(exc.status_code))
        return api.create_response(request, body, status=exc.status_code)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(
            request, error_body("not_found", _status_message(404)), status=404
        )

    @api.exception_handler(DjangoPermissionDenied)
    def django_refused(request: HttpRequest, exc: Exception) -> HttpResponse:
        """Django's own refusals raised inside an operation: a rate limit (django-ratelimit
        raises a PermissionDenied subclass) is 429, anything else 403."""
        status = 429 if isinstance(exc, Ratelimited) else 403
        body = error_body(_status_code(status), _status_message(status))
        return api.create_response(request, body, status=status)

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(
            request, error_body("bad_request", _status_message(400)), status=400
        )

    @api.exception_handler(BadRequest)
    def bad_request(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(
            request, error_body("bad_request", _status_message(400)), status=400
        )

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
        body = error_body("server_error", _("服务器内部错误，已记录，请稍后重试"))
        return api.create_response(request, body, status=500)
