"""Citizen portal: report a problem without logging in, track it by code, rate the result
(which reopens the appeal when it is not resolved)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cityloop.access.actors import Actor
from cityloop.appeals import selectors
from cityloop.appeals.codes import clean_tracking_code
from cityloop.appeals.enums import Channel, Satisfaction
from cityloop.appeals.public_api import check_report_rate, lookup
from cityloop.evaluate.public_api import evaluate_as_citizen, thank_you
from cityloop.evaluate.schemas import CitizenEvaluationIn
from cityloop.geo.services import district_map
from cityloop.intake.services import AppealDraft, receive_report
from cityloop.kernel.errors import DomainError, TooManyRequests
from cityloop.notify.selectors import receipt_sms_sent_to
from cityloop.web.forms import CitizenReportForm, show_domain_error


def report(request: HttpRequest) -> HttpResponse:
    form = CitizenReportForm(request.POST or None, request.FILES or None)
    refused = False
    conflict: dict[str, object] = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            check_report_rate(request)
            citizen = Actor.citizen(data["caller_name"])
            appeal = receive_report(
                AppealDraft(
                    channel=Channel.WEB,
                    title="",
                    content=data["content"],
                    caller_name=data["caller_name"],
                    caller_phone=data["caller_phone"],
                    email=data["email"],
                    address_text=data["address_text"],
                    lat=data["lat"],
                    lng=data["lng"],
                    appeal_type=data["appeal_type"],
                    place_by=data["place_by"],
                ),
                actor=citizen,
                uploads=data["attachments"],
            )
        except DomainError as error:
            show_domain_error(form, error)
            refused = isinstance(error, TooManyRequests)
            if error.code == "place_conflict":  # both readings, for the citizen to choose
                conflict = error.params
        else:
            messages.success(
                request,
                _("已受理。请记下查询码 %(code)s，凭它和手机号后四位查询进度、评价结果。")
                % {"code": appeal.tracking_code},
            )
            return redirect("web:track-detail", code=appeal.tracking_code)
    status = 429 if refused else 400 if form.errors else 200
    context = {
        "form": form,
        "districts": district_map(),
        "tile_url": settings.CITYLOOP_TILE_URL,
        "conflict": conflict,
    }
    return render(request, "web/report.html", context, status=status)


def track_lookup(request: HttpRequest) -> HttpResponse:
    typed = request.GET.get("code", "")
    if not typed.strip():
        return render(request, "web/track.html", {})
    try:
        code = clean_tracking_code(typed)
    except DomainError as error:
        context = {"error": error.message, "code": typed[:20]}
        return render(request, "web/track.html", context, status=404)
    return redirect("web:track-detail", code=code)


def track_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        appeal = lookup(request, code)
    except DomainError as error:
        refusal = {"error": error.message, "code": code}
        return render(request, "web/track.html", refusal, status=error.status)
    form_error, form_data, status = "", request.POST, 200
    if request.method == "POST":
        try:
            payload = CitizenEvaluationIn(
                phone_last4=form_data.get("phone_last4", ""),
                contacted=form_data.get("contacted") == "yes",
                resolved={"yes": True, "no": False}.get(form_data.get("resolved", "")),
                satisfaction=form_data.get("satisfaction", ""),
                comment=form_data.get("comment", ""),
            )
            rated = evaluate_as_citizen(request, code, payload)
            messages.success(request, thank_you(rated))
            return redirect("web:track-detail", code=appeal.tracking_code)
        except DomainError as error:
            form_error, status = error.message, 429 if isinstance(error, TooManyRequests) else 400
        except ValueError:
            form_error, status = _("请填写手机号后四位"), 400
    context = {
        "view": selectors.public_view(appeal),
        "receipt_sms_to": receipt_sms_sent_to(appeal),
        "satisfaction_choices": Satisfaction.choices,
        "form_error": form_error,
        "form_data": form_data,
    }
    return render(request, "web/track_detail.html", context, status=status)
