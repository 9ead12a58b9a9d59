"""What a citizen can do without logging in: submit, track by code, evaluate."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router

from cityloop.appeals import selectors
from cityloop.appeals.codes import by_code, clean_tracking_code
from cityloop.appeals.models import Appeal
from cityloop.appeals.schemas import PublicAppealOut
from cityloop.kernel import throttle
from cityloop.kernel.api_schema import PUBLIC_ERRORS as ERRORS
from cityloop.kernel.errors import NotFound
from cityloop.kernel.throttle import client_ip

router = Router(tags=["public"])


def find_by_code(code: str) -> Appeal:
    appeal = (
        Appeal.objects.select_related("main_unit", "category")
        .filter(by_code(clean_tracking_code(code)))
        .first()
    )
    if appeal is None:
        raise NotFound("appeal_not_found", _("查询码 %(code)s 对应的诉求不存在"), code=code)
    return appeal


def lookup(request: HttpRequest, code: str) -> Appeal:
    """find_by_code for an anonymous caller: codes that do not exist are counted per
    address, so nobody can walk the code space to read other people's appeals."""
    address = client_ip(request)
    throttle.check(request, "track_miss_per_ip", address)
    try:
        return find_by_code(code)
    except NotFound:
        throttle.count(request, "track_miss_per_ip", address)
        raise


def check_report_rate(request: HttpRequest) -> None:
    """One budget of reports per address for the report page and the API together."""
    throttle.spend(request, "report_per_ip", client_ip(request))


@router.get("/track/{code}", response={200: PublicAppealOut, **ERRORS}, summary="按查询码查询进度")
def track(request: HttpRequest, code: str) -> dict[str, Any]:
    return selectors.public_view(lookup(request, code))
