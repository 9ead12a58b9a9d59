"""The HTTP side of GeoReport v2. Every answer, refusals included, is in the format the path
asks for (.xml or .json) and in the specification's shape: never an HTML page, never a 500.
A request that carries a key is checked (scope, rate) and logged (access.keys)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.csrf import csrf_exempt

from cityloop.access import keys
from cityloop.handling.attachments import MAX_BYTES, MAX_FILES
from cityloop.integrations.open311 import openapi, params, selectors, services
from cityloop.integrations.open311.formats import FORMATS, error_response, respond
from cityloop.kernel import throttle
from cityloop.kernel.errors import DomainError, NotFound, TooManyRequests
from cityloop.org.models import ApiKey, KeyScope

# The specification's api_key parameter may also come as this header (keeps keys out of
# server logs of query strings, and lets tools such as schemathesis send one).
KEY_HEADER = "X-Api-Key"
# The most a request may carry: the photos intake accepts and room for the form.
MAX_BODY = MAX_FILES * MAX_BYTES + 1024 * 1024
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class Call:
    """One request being answered: its format and the key it was made with, if any."""

    def __init__(self, request: HttpRequest, fmt: str) -> None:
        self.request = request
        self.fmt = fmt
        self.key: ApiKey | None = None

    def authenticate(self, raw: str | None, scope: str) -> ApiKey:
        self.key = keys.authenticate(self.request, raw, scope)
        return self.key

    def unit_ids(self) -> set[int] | None:
        return keys.visible_unit_ids(self.key) if self.key is not None else None


Handler = Callable[..., HttpResponse]


def open311(*methods: str) -> Callable[[Handler], Handler]:
    def wrap(handler: Handler) -> Handler:
        @csrf_exempt
        def view(request: HttpRequest, fmt: str | None = None, **kwargs: Any) -> HttpResponse:
            call = Call(request, (fmt or "xml").lower())
            with translation.override(_language(request)):
                response = _answer(call, handler, methods, kwargs)
            if call.key is not None:
                keys.record_use(call.key, request, response.status_code)
            return response

        return view

    return wrap


def _language(request: HttpRequest) -> str:
    """An outside system has no language cookie: its Accept-Language is followed when it
    names a language the city speaks; else the language the pages would use."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        return current
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return current


def _answer(call: Call, handler: Handler, methods: tuple[str, ...], kwargs: Any) -> HttpResponse:
    fmt = call.fmt if call.fmt in FORMATS else "xml"
    if call.fmt not in FORMATS:
        message = _("不支持的格式：%(fmt)s（可用 xml 或 json）") % {"fmt": call.fmt[:20]}
        return error_response(fmt, 400, [("invalid_format", message)])
    if call.request.method not in methods:
        response = error_response(
            fmt,
            405,
            [("method_not_allowed", _("不支持该请求方法：%(m)s") % {"m": call.request.method})],
        )
        response["Allow"] = ", ".join(methods)
        return response
    try:
        query = [value for _name, values in call.request.GET.lists() for value in values]
        if any("\x00" in text for text in [call.request.path, *query, *call.request.GET]):
            raise UnicodeError("NUL")
        return handler(call, **kwargs)
    except TooManyRequests as error:
        response = error_response(fmt, 429, [(error.code, error.message)])
        response["Retry-After"] = str(error.retry_after)
        return response
    except DomainError as error:
        status = error.status if error.status in (403, 404) else 400
        return error_response(fmt, status, [(error.code, error.message)])
    except RequestDataTooBig:
        return error_response(fmt, 400, [("too_big", _("请求内容过大"))])
    except (SuspiciousOperation, MultiPartParserError, UnreadablePostError, UnicodeError):
        return error_response(fmt, 400, [("unreadable", _("无法读取请求内容"))])


def _form(request: HttpRequest) -> tuple[QueryDict, list[Any]]:
    """The POSTed form (form-encoded or multipart) and its `media` files. A form that is not
    UTF-8, holds a NUL, or is no form at all is refused before anything is read into the
    record."""
    if request.content_type not in FORM_TYPES:
        raise DomainError(
            "unsupported_media_type",
            _("请以 application/x-www-form-urlencoded 或 multipart/form-data 提交"),
        )
    if _declared_length(request) > MAX_BODY:
        raise RequestDataTooBig("over MAX_BODY")  # refused before the upload is read
    if request.content_type == FORM_TYPES[0]:
        request.body.decode("utf-8")  # UnicodeError: not UTF-8
    form = request.POST
    texts = [value for _name, values in form.lists() for value in values] + list(form)
    if any("\ufffd" in text or "\x00" in text for text in texts):
        raise UnicodeError("not UTF-8")
    return form, request.FILES.getlist("media")


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@open311("GET")
def discovery(call: Call) -> HttpResponse:
    base = call.request.build_absolute_uri("/open311/v2/")
    return respond(call.fmt, "discovery", selectors.discovery(base))


@open311("GET")
def services_list(call: Call) -> HttpResponse:
    selectors.check_jurisdiction(call.request.GET.get("jurisdiction_id"))
    return respond(call.fmt, "services", selectors.services())


@open311("GET")
def service_definition(call: Call, code: str) -> HttpResponse:
    selectors.check_jurisdiction(call.request.GET.get("jurisdiction_id"))
    return respond(call.fmt, "service_definition", selectors.service_definition(code))


def _read_key(call: Call) -> None:
    """A key is not needed to read public data; one that is given must be valid, may read,
    and limits what is seen to its units."""
    raw = call.request.GET.get("api_key") or call.request.headers.get(KEY_HEADER)
    if raw:
        call.authenticate(raw, KeyScope.OPEN311_READ)


@open311("GET", "POST")
def requests(call: Call) -> HttpResponse:
    if call.request.method == "POST":
        return _post_request(call)
    _read_key(call)
    selectors.check_jurisdiction(call.request.GET.get("jurisdiction_id"))
    query = params.request_query(call.request.GET, call.unit_ids())
    return respond(call.fmt, "service_requests", selectors.find_requests(query))


def _post_request(call: Call) -> HttpResponse:
    form, uploads = _form(call.request)
    raw = form.get("api_key") or call.request.GET.get("api_key")
    key = call.authenticate(raw or call.request.headers.get(KEY_HEADER), KeyScope.OPEN311_WRITE)
    selectors.check_jurisdiction(form.get("jurisdiction_id"))
    appeal = services.submit(form, uploads, key=key)
    notice = _("已受理，可凭查询码 %(code)s 查询办理进度") % {"code": appeal.tracking_code}
    created = {
        "service_request_id": appeal.tracking_code,
        "token": selectors.token_of(appeal.tracking_code),
        "service_notice": notice,
        "account_id": form.get("account_id", "")[:100],
    }
    return respond(call.fmt, "service_requests", [created])


@open311("GET")
def request_detail(call: Call, code: str) -> HttpResponse:
    _read_key(call)
    selectors.check_jurisdiction(call.request.GET.get("jurisdiction_id"))
    extensions = params.extensions(call.request.GET)
    found = _counting_misses(
        call, lambda: selectors.find_request(code, unit_ids=call.unit_ids(), extensions=extensions)
    )
    return respond(call.fmt, "service_requests", [found])


def _counting_misses(call: Call, find: Callable[[], Any]) -> Any:
    """Without a key, ids that do not exist are counted per address as on the tracking page
    (track_miss_per_ip), so the code space cannot be walked here either."""
    if call.key is not None:
        return find()
    address = throttle.client_ip(call.request)
    throttle.check(call.request, "track_miss_per_ip", address)
    try:
        return find()
    except NotFound:
        throttle.count(call.request, "track_miss_per_ip", address)
        raise


@open311("GET")
def token(call: Call, token: str) -> HttpResponse:
    _read_key(call)
    selectors.check_jurisdiction(call.request.GET.get("jurisdiction_id"))
    code = _counting_misses(call, lambda: selectors.code_of_token(token))
    selectors.find_request(code, unit_ids=call.unit_ids(), extensions=False)
    found = {"service_request_id": code, "token": token}
    return respond(call.fmt, "service_requests", [found])


@open311("GET")
def openapi_document(call: Call) -> HttpResponse:
    return JsonResponse(openapi.document(call.request.build_absolute_uri("/open311/v2")))


@open311("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
def not_found(call: Call) -> HttpResponse:
    return error_response(call.fmt, 404, [("not_found", _("没有这个 Open311 资源"))])
