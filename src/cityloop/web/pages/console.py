"""Call-taker console: one screen to take a call in under a minute. The caller's history,
the suggested category, the matched address, possible duplicates and urgency come in as
the call-taker types (htmx fragments), then one submit receives and dispatches."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from cityloop.access.actors import Actor
from cityloop.appeals.enums import Channel
from cityloop.intake.selectors import call_hints, caller_appeals
from cityloop.intake.services import AppealDraft, receive_call
from cityloop.kernel import throttle
from cityloop.kernel.errors import DomainError, TooManyRequests
from cityloop.taxonomy.services import leaf_choices
from cityloop.web.access import CALL_TAKING, staff_page
from cityloop.web.forms import IntakeForm, show_domain_error

if TYPE_CHECKING:
    from cityloop.appeals.models import Appeal


def _received_message(appeal: Appeal) -> str:
    """已受理 <code>…, the code a link to the appeal (the call-taker may need it again at
    once). The translation is ours; every value put in is escaped."""
    code = format_html(
        '<a href="{}" data-testid="received-code">{}</a>',
        reverse("web:appeal-detail", args=[appeal.tracking_code]),
        appeal.tracking_code,
    )
    text = _("已受理 %(code)s：%(status)s%(outcome)s%(unit)s") % {
        "code": code,
        "status": escape(appeal.get_status_display()),
        "outcome": escape(f"，{appeal.get_outcome_display()}") if appeal.outcome else "",
        "unit": escape(f"，{appeal.main_unit.name}") if appeal.main_unit else "",
    }
    return mark_safe(text)


@staff_page(CALL_TAKING)
def console(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appeal = receive_call(
                AppealDraft(
                    channel=Channel.PHONE,
                    title="",
                    content=data["content"],
                    caller_name=data["caller_name"],
                    caller_phone=data["caller_phone"],
                    email=data["email"],
                    address_text=data["address_text"],
                    standard_address_code=data["standard_address_code"],
                    category_code=data["category_code"],
                    urgency=form.urgency,
                    appeal_type=data["appeal_type"],
                    answer=data["answer"],
                ),
                actor=actor,
                merge_into=data["merge_into"],
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _received_message(appeal))
            return redirect("web:console")
    context = {"form": form, "categories": leaf_choices()}
    return render(request, "web/console.html", context, status=400 if form.errors else 200)


@staff_page(CALL_TAKING)
def caller(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The caller's earlier appeals by phone number. The number comes in the POST body (a
    number in the address would be written to every access log on the way), and lookups are
    capped per staff account, so the console cannot be used to sweep phone numbers."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        throttle.spend(request, "caller_lookup_per_user", str(request.user.pk))
    except TooManyRequests as error:
        return render(request, "web/_caller.html", {"refused": error.message}, status=429)
    found = caller_appeals(request.POST.get("caller_phone", ""), actor)
    return render(request, "web/_caller.html", found)


@staff_page(CALL_TAKING)
def understanding(request: HttpRequest, actor: Actor) -> HttpResponse:
    """What the machine makes of the text so far: category, urgency, address, duplicates."""
    hints = call_hints(
        request.POST.get("address_text", ""),
        request.POST.get("content", ""),
        actor,
        include_closed=bool(request.POST.get("include_closed")),
    )
    return render(request, "web/_understanding.html", hints)
