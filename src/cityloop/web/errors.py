"""The answers Django gives by itself (no such page, bad request, forbidden, a fault): in
Chinese on the site's layout for people, in the API's ErrorOut for /api/ clients."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

from cityloop.kernel.api_errors import error_body

_PAGES = {
    400: ("bad_request", "400.html"),
    403: ("forbidden", "403.html"),
    404: ("not_found", "404.html"),
}


def _message(status: int) -> str:
    return {
        400: _("请求有误，无法处理。请检查填写或链接是否完整。"),
        403: _("您没有权限打开此页面。"),
        404: _("您要找的页面或诉求不存在。请检查链接或查询码是否正确。"),
        500: _("系统出现故障，已记录，请稍后重试。"),
    }[status]


def _answer(request: HttpRequest, status: int) -> HttpResponse:
    code, template = _PAGES[status]
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(code, _message(status)), status=status)
    return render(request, template, {"message": _message(status)}, status=status)


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _answer(request, 400)


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _answer(request, 403)


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _answer(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request context (which may be what failed): a self-contained
    page that needs no database, session or template context processor."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("server_error", _message(500)), status=500)
    return HttpResponse(
        loader.get_template("500.html").render({"message": _message(500)}), status=500
    )


class RefuseUnreadableFormMiddleware:
    """A form sent in another encoding than UTF-8 arrives with U+FFFD where Django could not
    decode it; stored, it would be mojibake forever. A NUL cannot be stored at all. Either
    refuses the whole submission (400, nothing written) before any page sees it."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method == "POST"
            and not request.path.startswith(("/api/", "/open311/"))
            and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
            and _unreadable(request)
        ):
            message = _(
                "提交的内容含有无法识别的字符（请使用 UTF-8 编码，不要包含控制字符），未保存。"
                "请返回重新填写。"
            )
            return render(request, "400.html", {"message": message}, status=400)
        return self.get_response(request)


def _unreadable(request: HttpRequest) -> bool:
    texts = [v for _key, values in request.POST.lists() for v in values]
    texts += [k for k in request.POST]
    texts += [f.name or "" for files in request.FILES.lists() for f in files[1]]
    return any("\ufffd" in t or "\x00" in t for t in texts)
