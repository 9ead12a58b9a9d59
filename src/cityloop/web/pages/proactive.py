"""未诉先办 pages: the proposals (accept / decline), the 每月一题 board (candidates with their
trend, chosen topics with the volume before and after; choose / resolve over htmx) and the
forecast per district and category (history, forecast and its band)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cityloop.access.actors import Actor
from cityloop.assessment.rates import month_or_current, parse_month
from cityloop.kernel import clock
from cityloop.kernel.errors import DomainError
from cityloop.proactive import selectors, services
from cityloop.proactive.access import (
    CHOOSING_TOPICS,
    DECIDING,
    FORECASTING,
    SEEING_PROPOSALS,
    SEEING_TOPICS,
)
from cityloop.proactive.forecast import MAX_HORIZON
from cityloop.proactive.models import ProposalStatus
from cityloop.proactive.outlook import chart_of, city_outlook, series_choices
from cityloop.web.access import staff_page
from cityloop.web.redirects import redirect_back


def _error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "web/error.html", {"error": error.message}, status=error.status)


def _tabs(actor: Actor) -> list[tuple[str, str]]:
    tabs = [
        ("web:proactive", _("主动治理建议"), SEEING_PROPOSALS),
        ("web:topics", _("每月一题"), SEEING_TOPICS),
    ]
    tabs.append(("web:forecast", _("诉求量预测"), FORECASTING))
    return [(name, label) for name, label, roles in tabs if actor.role in roles]


@staff_page(SEEING_PROPOSALS)
def proposals(request: HttpRequest, actor: Actor) -> HttpResponse:
    status = request.GET.get("status", ProposalStatus.PROPOSED)
    if status not in ProposalStatus.values:
        status = ProposalStatus.PROPOSED
    context = {
        "proposals": selectors.visible_proposals(actor, status=status)[:200],
        "status": status,
        "statuses": ProposalStatus.choices,
        "may_decide": actor.role in DECIDING,
        "tabs": _tabs(actor),
    }
    return render(request, "web/proactive.html", context)


@staff_page(DECIDING)
def decide(request: HttpRequest, actor: Actor, proposal_id: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("web:proactive")
    try:
        proposal = selectors.proposal_for(actor, proposal_id)
        if request.POST.get("decision") == "accept":
            done = services.accept(proposal, actor=actor, note=request.POST.get("note", ""))
            messages.success(
                request,
                _("已采纳，生成主动治理工单 %(code)s") % {"code": done.appeal.tracking_code},  # type: ignore[union-attr]
            )
        else:
            services.decline(proposal, actor=actor, reason=request.POST.get("note", ""))
            messages.success(request, _("已记录不采纳及理由"))
    except DomainError as error:
        if error.status in (403, 404):
            return _error(request, error)
        messages.error(request, error.message)
    return redirect_back(request, "web:proactive")


def _board(request: HttpRequest, actor: Actor, month: date, **extra: Any) -> HttpResponse:
    chosen = []
    for topic in selectors.topics(month=month):
        volume = selectors.volume_since_chosen(topic)
        chosen.append({"topic": topic, "volume": volume, "volume_json": json.dumps(volume)})
    context = {
        "month": month,
        "candidates": selectors.candidates(month),
        "chosen": chosen,
        "may_choose": actor.role in CHOOSING_TOPICS,
        "tabs": _tabs(actor),
        **extra,
    }
    template = "web/topics_board.html" if request.htmx else "web/topics.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@staff_page(SEEING_TOPICS)
def topics(request: HttpRequest, actor: Actor) -> HttpResponse:
    try:
        month = month_or_current(request.GET.get("month"))
    except DomainError as error:
        return _error(request, error)
    return _board(request, actor, month)


def _form_int(request: HttpRequest, name: str) -> int:
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        raise DomainError(f"invalid_{name}", _("请从列表中选择")) from None


@staff_page(CHOOSING_TOPICS)
def choose(request: HttpRequest, actor: Actor) -> HttpResponse:
    """选题 (htmx: the board comes back with the topic chosen or the reason it was not)."""
    if request.method != "POST":
        return redirect("web:topics")
    month_text = request.POST.get("month", "")
    try:
        month = parse_month(month_text)
    except DomainError as error:
        return _board(request, actor, clock.this_month(), error=error.message)
    try:
        services.choose_by_ids(
            month,
            area_id=_form_int(request, "area_id"),
            category_id=_form_int(request, "category_id"),
            actor=actor,
            title=request.POST.get("title", ""),
            reason=request.POST.get("reason", ""),
        )
    except DomainError as error:
        return _board(request, actor, month, error=error.message)
    return _board(request, actor, month, notice=_("已选定为本月一题"))


@staff_page(CHOOSING_TOPICS)
def resolve(request: HttpRequest, actor: Actor, topic_id: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("web:topics")
    try:
        chosen = selectors.topic(topic_id)
    except DomainError as error:
        return _error(request, error)
    try:
        services.resolve(chosen, actor=actor, note=request.POST.get("note", ""))
    except DomainError as error:
        return _board(request, actor, chosen.month, error=error.message)
    return _board(request, actor, chosen.month, notice=_("已标记为解决"))


@staff_page(FORECASTING)
def forecast(request: HttpRequest, actor: Actor) -> HttpResponse:
    today = clock.today()
    choices = series_choices(as_of=today)
    wanted = request.GET.get("series") or (choices[0]["value"] if choices else "")
    try:
        horizon = int(request.GET.get("horizon", 8))
        area_id, category_id = (int(part) for part in str(wanted).split("-"))
    except ValueError:
        horizon, area_id, category_id = 8, 0, 0
    horizon = min(max(horizon, 1), MAX_HORIZON)
    found = city_outlook(as_of=today, horizon=horizon, area_id=area_id, category_id=category_id)
    context = {
        "choices": choices,
        "series": wanted,
        "horizon": horizon,
        "horizons": range(1, MAX_HORIZON + 1),
        "chart": chart_of(found[0]) if found else None,
        "outlook": found[0] if found else None,
        "tabs": _tabs(actor),
    }
    return render(request, "web/forecast.html", context)
