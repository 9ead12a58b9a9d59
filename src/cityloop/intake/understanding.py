"""智能分类 at intake: category suggestion, urgency and address placement for a new appeal,
each applied by the machine only when it is sure enough, and always recorded with why."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from django.db.models import Count, Max
from django.utils.translation import gettext as _

from cityloop.access.actors import Actor
from cityloop.appeals.models import Appeal
from cityloop.appeals.services.core import apply
from cityloop.classify.models import Suggestion, UnderstandingSettings
from cityloop.classify.services import CategorySuggestion, suggest_category
from cityloop.classify.urgency import detect_urgency
from cityloop.geo.address import AddressEntry, AddressMatch, AddressMatcher
from cityloop.geo.models import AreaLevel, StandardAddress
from cityloop.geo.services import ancestor_at
from cityloop.kernel import clock
from cityloop.sla.models import Urgency
from cityloop.taxonomy.models import Category


@dataclass
class Understanding:
    suggestion: CategorySuggestion | None = None
    urgency_reasons: list[str] = field(default_factory=list)
    address: AddressMatch | None = None
    address_tried: bool = False


class _MatcherCache:
    """One address index per process, rebuilt when the library changes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.key: tuple[object, ...] | None = None
        self.matcher: AddressMatcher | None = None

    def get(self) -> AddressMatcher | None:
        key = tuple(StandardAddress.objects.aggregate(n=Count("id"), last=Max("id")).values())
        with self.lock:
            if key != self.key:
                self.matcher = _build_matcher() if key[0] else None
                self.key = key
            return self.matcher


def _build_matcher() -> AddressMatcher:
    rows = StandardAddress.objects.select_related("grid__parent__parent__parent")
    entries = []
    for address in rows.iterator(chunk_size=5000):
        street = ancestor_at(address.grid, AreaLevel.STREET)
        district = ancestor_at(address.grid, AreaLevel.DISTRICT)
        entries.append(
            AddressEntry(
                code=address.code,
                full_text=address.full_text,
                district=district.name if district else "",
                street=street.name if street else "",
                road=address.road,
                number=address.number,
                building=address.building,
                landmark=address.landmark,
            )
        )
    return AddressMatcher(entries)


matchers = _MatcherCache()


def understand(text: str, *, want_category: bool, want_address: bool) -> Understanding:
    result = Understanding()
    if want_category:
        result.suggestion = suggest_category(text)
    result.urgency_reasons = detect_urgency(text, clock.today()).reasons
    if want_address:
        matcher = matchers.get()
        if matcher is not None:
            result.address_tried = True
            threshold = float(UnderstandingSettings.current().address_match_score)
            best = matcher.match(text, limit=1)
            result.address = best[0] if best and best[0].score >= threshold else None
    return result


def apply_understanding(appeal: Appeal, found: Understanding) -> None:
    """Within the intake transaction: record the suggestion, and apply what is sure."""
    system = Actor.system()
    if found.address is not None:
        address = StandardAddress.objects.select_related("grid").get(code=found.address.code)
        grid = address.grid
        apply(
            appeal,
            "locate",
            system,
            reason="；".join(found.address.reasons),
            fields={
                "standard_address": address,
                "grid": grid,
                "lat": address.lat,
                "lng": address.lng,
                "street": ancestor_at(grid, AreaLevel.STREET),
                "district": ancestor_at(grid, AreaLevel.DISTRICT),
                "address_text": appeal.address_text or address.full_text,
            },
        )
    elif found.address_tried:
        apply(appeal, "locate", system, reason=_("未能匹配到标准地址，需人工定位"))
    if found.urgency_reasons and appeal.urgency != Urgency.EMERGENCY:
        apply(
            appeal,
            "flag_urgent",
            system,
            reason="；".join(found.urgency_reasons),
            fields={"urgency": Urgency.EMERGENCY},
        )
    suggestion = found.suggestion
    if suggestion is None:
        return
    confident = suggestion.confident()
    Suggestion.objects.create(
        appeal=appeal,
        model=suggestion.model,
        created_at=clock.now(),
        ranked=[
            {"code": r.code, "path": r.path, "confidence": r.confidence} for r in suggestion.ranked
        ],
        confidence=suggestion.top.confidence,
        auto_applied=confident,
    )
    if confident:
        category = Category.objects.get(code=suggestion.top.code)
        apply(
            appeal,
            "classify",
            system,
            fields={"category": category},
            reason=_("模型 %(model)s 判定为“%(path)s”，置信度 %(p).2f")
            % {
                "model": suggestion.model.name,
                "path": category.path,
                "p": suggestion.top.confidence,
            },
        )
