"""Call-taker console: one screen to take a call in under a minute. The caller's history,
the suggested category, the matched address, possible duplicates and urgency come in as
the call-taker types (htmx fragments), then one submit receives and dispatches."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cityloop.appeals.actors import Actor
from cityloop.appeals.enums import OPEN_STATUSES, Channel
from cityloop.appeals.models import Appeal
from cityloop.appeals.scope import only_visible
from cityloop.core import clock, throttle
from cityloop.core.errors import DomainError, TooManyRequests
from cityloop.dispatch.rules import decisions_for
from cityloop.geo.models import StandardAddress
from cityloop.handling.services import merge
from cityloop.intake.duplicates import caller_history, same_problem_candidates
from cityloop.intake.services import AppealDraft, receive_appeal
from cityloop.intake.understanding import understand
from cityloop.taxonomy.models import Category
from cityloop.web.access import CALL_TAKING, staff_page
from cityloop.web.forms import IntakeForm, show_domain_error


@staff_page(CALL_TAKING)
def console(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                appeal = receive_appeal(
                    AppealDraft(
                        channel=Channel.PHONE,
                        title="",
                        content=data["content"],
                        caller_name=data["caller_name"],
                        caller_phone=data["caller_phone"],
                        address_text=data["address_text"],
                        standard_address_code=data["standard_address_code"],
                        category_code=data["category_code"],
                        urgency=form.urgency,
                    ),
                    actor=actor,
                )
                if data["merge_into"]:
                    merge(
                        appeal.tracking_code,
                        into_code=data["merge_into"],
                        actor=actor,
                        reason=_("受理时确认与已有工单为同一问题"),
                    )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            appeal.refresh_from_db()
            messages.success(
                request,
                _("已受理 %(code)s：%(status)s%(unit)s")
                % {
                    "code": appeal.tracking_code,
                    "status": appeal.get_status_display(),
                    "unit": f"，{appeal.main_unit.name}" if appeal.main_unit else "",
                },
            )
            return redirect("web:console")
    categories = Category.objects.filter(level=3, is_active=True).order_by("code")
    context = {"form": form, "categories": categories.values_list("code", "path")}
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
    earlier = only_visible(actor, caller_history(request.POST.get("caller_phone", ""), limit=10))
    open_ones = [a for a in earlier if a.status in OPEN_STATUSES]
    return render(request, "web/_caller.html", {"earlier": earlier, "open_ones": open_ones})


@staff_page(CALL_TAKING)
def understanding(request: HttpRequest, actor: Actor) -> HttpResponse:
    """What the machine makes of the text so far: category, urgency, address, duplicates."""
    text = f"{request.POST.get('address_text', '')} {request.POST.get('content', '')}".strip()
    if len(text) < 4:
        return render(request, "web/_understanding.html", {"empty": True})
    found = understand(text, want_category=True, want_address=True)
    address = None
    if found.address is not None:
        address = StandardAddress.objects.select_related("grid").get(code=found.address.code)
    top = found.suggestion.ranked if found.suggestion else []
    grid = address.grid if address else None
    decisions = decisions_for([r.code for r in top], grid)
    probe = Appeal(
        title="",
        content=text,
        received_at=clock.now(),
        grid=grid,
        standard_address=address,
        category=Category.objects.filter(code=top[0].code).first() if top else None,
    )
    context = {
        "suggestion": found.suggestion,
        "ranked": [(r, getattr(decisions.get(r.code), "unit", None)) for r in top],
        "urgency_reasons": found.urgency_reasons,
        "address": address,
        "address_match": found.address,
        "address_tried": found.address_tried,
        "duplicates": only_visible(actor, same_problem_candidates(probe)) if address else [],
    }
    return render(request, "web/_understanding.html", context)
