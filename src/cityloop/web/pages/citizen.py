"""Citizen portal: report a problem without logging in, then track it by code."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cityloop.appeals.actors import Actor
from cityloop.appeals.enums import Channel
from cityloop.appeals.services import AppealDraft, receive_appeal
from cityloop.appeals.services.attachments import attach, check_uploads
from cityloop.core.errors import DomainError
from cityloop.web.forms import CitizenReportForm, show_domain_error


def report(request: HttpRequest) -> HttpResponse:
    form = CitizenReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            check_uploads(data["attachments"])
            citizen = Actor.citizen(data["caller_name"])
            with transaction.atomic():
                appeal = receive_appeal(
                    AppealDraft(
                        channel=Channel.WEB,
                        title="",
                        content=data["content"],
                        caller_name=data["caller_name"],
                        caller_phone=data["caller_phone"],
                        address_text=data["address_text"],
                        lat=data["lat"],
                        lng=data["lng"],
                    ),
                    actor=citizen,
                )
                attach(appeal.tracking_code, actor=citizen, uploads=data["attachments"])
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(
                request,
                _("已受理。请记下查询码 %(code)s，凭它和手机号后四位查询进度、评价结果。")
                % {"code": appeal.tracking_code},
            )
            return redirect("web:track-detail", code=appeal.tracking_code)
    status = 400 if form.errors else 200
    context = {"form": form, "tile_url": settings.CITYLOOP_TILE_URL}
    return render(request, "web/report.html", context, status=status)
