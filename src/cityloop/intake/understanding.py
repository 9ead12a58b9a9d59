"""智能分类 at intake: category suggestion, urgency and address placement for a new appeal,
each applied by the machine only when it is sure enough, and always recorded with why."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from django.db.models import Count, Max
from django.utils.translation import gettext as _

from cityloop.access.actors import Actor
from cityloop.appeals.enums import Placement
from cityloop.appeals.models import Appeal
from cityloop.appeals.services.core import apply
from cityloop.appeals.unsaved import unsaved_of
from cityloop.classify.models import Suggestion
from cityloop.classify.services import (
    CategorySuggestion,
    suggest_category,
    understanding_settings,
)
from cityloop.classify.urgency import detect_urgency
from cityloop.geo.address import AddressEntry, AddressMatch, AddressMatcher
from cityloop.geo.models import Area, AreaLevel, StandardAddress
from cityloop.geo.services import ancestor_at
from cityloop.intake.fallback import PlaceFound, place_text
from cityloop.kernel import clock
from cityloop.kernel.cache import config_cache, on_clear
from cityloop.sla.models import Urgency
from cityloop.taxonomy.models import category_by_code


@dataclass
class Understanding:
    suggestion: CategorySuggestion | None = None
    urgency_reasons: list[str] = field(default_factory=list)
    address: AddressMatch | None = None
    address_tried: bool = False
    # where the text places the appeal, down the fallback levels (None: not asked)
    placement: PlaceFound | None = None


@config_cache
def address_library_fingerprint() -> tuple[object, ...]:
    """Changes when addresses are added or removed: counting 100,000 rows on every intake
    costs more than the intake, so it is looked at once per TTL."""
    return tuple(StandardAddress.objects.aggregate(n=Count("id"), last=Max("id")).values())


class _MatcherCache:
    """One address index per process, rebuilt when the library changes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.key: tuple[object, ...] | None = None
        self.matcher: AddressMatcher | None = None

    def get(self) -> AddressMatcher | None:
        key = address_library_fingerprint()
        with self.lock:
            if key != self.key:
                self.matcher = _build_matcher() if key[0] else None
                self.key = key
            return self.matcher

    def forget(self) -> None:
        with self.lock:
            self.key, self.matcher = None, None


def _build_matcher() -> AddressMatcher:
    # names of the street and district from the area tree read once, without outlines:
    # loading each address's grid with its ancestors would decode four polygons per address
    areas = {area.pk: area for area in Area.objects.defer("polygon")}
    rows = StandardAddress.objects.values_list(
        "code", "full_text", "grid_id", "road", "number", "building", "landmark"
    )
    entries = []
    for code, full_text, grid_id, road, number, building, landmark in rows.iterator(5000):
        grid = areas.get(grid_id)
        street = ancestor_at(grid, AreaLevel.STREET, areas)
        district = ancestor_at(grid, AreaLevel.DISTRICT, areas)
        entries.append(
            AddressEntry(
                code=code,
                full_text=full_text,
                district=district.name if district else "",
                street=street.name if street else "",
                road=road,
                number=number,
                building=building,
                landmark=landmark,
            )
        )
    return AddressMatcher(entries)


matchers = _MatcherCache()
on_clear(matchers.forget)


def understand(
    text: str, *, want_category: bool, want_address: bool, address_text: str = ""
) -> Understanding:
    """What the machine reads in an appeal's text. The place is read from `address_text`
    when it is given (what a form's address field says, to be set against a map point),
    and from the whole text when that alone leads nowhere."""
    result = Understanding()
    if want_category:
        result.suggestion = suggest_category(text)
    result.urgency_reasons = detect_urgency(text, clock.today()).reasons
    if want_address:
        matcher = matchers.get()
        if matcher is not None:
            result.address_tried = True
            threshold = float(understanding_settings().address_match_score)
            best = matcher.match(text, limit=1)
            result.address = best[0] if best and best[0].score >= threshold else None
        result.placement = place_text(address_text.strip() or text, result.address)
        if result.placement.level == Placement.CITY and address_text.strip():
            result.placement = place_text(text, result.address)
    return result


def warm_up() -> None:
    """Load what a first intake needs (jieba, the model in use, the address index, the
    gazetteer): tens of seconds on a busy machine that no caller should wait for. The server
    calls it before it forks its workers, which then share those pages."""
    text = "东城区东华门街道王府井大街1号 路灯不亮"
    understand(text, want_category=True, want_address=True, address_text=text)


def apply_understanding(appeal: Appeal, found: Understanding) -> None:
    """Within the intake transaction: record the suggestion, and apply what is sure."""
    system = Actor.system()
    place = found.placement
    if place is not None:
        text = appeal.address_text or (place.address.full_text if place.address else "")
        apply(appeal, "locate", system, reason="；".join(place.reasons), fields=place.fields(text))
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
    # stored with the appeal, in intake's one write (appeals.unsaved)
    unsaved_of(appeal).rows.append(  # type: ignore[union-attr]
        Suggestion(
            appeal=appeal,
            model=suggestion.model,
            created_at=clock.now(),
            ranked=[
                {"code": r.code, "path": r.path, "confidence": r.confidence}
                for r in suggestion.ranked
            ],
            confidence=suggestion.top.confidence,
            auto_applied=confident,
        )
    )
    # a category retired since the model was trained is left to a person
    category = category_by_code(suggestion.top.code) if confident else None
    if category is not None:
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
