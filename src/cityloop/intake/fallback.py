"""Where a new appeal lands (分级定位兜底): the standard address the text matches, else a
known road or landmark's street, a street or town named in the text, a district named in the
text, else the city itself — the 12345 centre's dispatchers place it by hand.

A map point and a typed address may disagree (a report about 朝阳区望京 clicked in 顺义):
then neither silently wins. `choose` refuses with both readings until the submitter says
which one holds (`place_by`), and the choice is recorded with the event that places it."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from django.db.models import Count, Max
from django.utils.translation import gettext as _

from cityloop.appeals.enums import Placement
from cityloop.geo import gazetteer
from cityloop.geo.address import AddressMatch
from cityloop.geo.gazetteer import Gazetteer, TextPlace
from cityloop.geo.models import Area, AreaLevel, StandardAddress
from cityloop.geo.services import ancestor_at
from cityloop.geo.services import locate as grid_at
from cityloop.kernel.cache import config_cache, on_clear
from cityloop.kernel.errors import DomainError, invalid_field

PLACE_BY_MAP, PLACE_BY_TEXT = "map", "text"
PLACE_BY_CHOICES = ("", PLACE_BY_MAP, PLACE_BY_TEXT)


@dataclass
class PlaceFound:
    """One reading of where an appeal is, with the appeal fields it sets."""

    level: str  # a Placement value
    grid: Area | None = None
    street: Area | None = None
    district: Area | None = None
    address: StandardAddress | None = None
    lat: float | None = None
    lng: float | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        """The place in words: "朝阳区望京街道", or the city when nothing finer is known."""
        names = [a.name for a in (self.district, self.street) if a is not None]
        return "".join(names) or _("本市（未能确定区）")

    def fields(self, address_text: str) -> dict[str, object]:
        return {
            "standard_address": self.address,
            "grid": self.grid,
            "street": self.street,
            "district": self.district,
            "lat": self.lat,
            "lng": self.lng,
            "placement": self.level,
            "address_text": address_text,
        }

    def disagrees_with(self, other: PlaceFound) -> bool:
        """Different districts, or different streets when both know their street."""
        if self.district is None or other.district is None:
            return False
        if self.district.pk != other.district.pk:
            return True
        return bool(self.street and other.street and self.street.pk != other.street.pk)


@config_cache
def area_fingerprint() -> tuple[object, ...]:
    """Changes when areas are added or removed (looked at once per TTL)."""
    return tuple(Area.objects.aggregate(n=Count("id"), last=Max("id")).values())


@config_cache
def _district_named(name: str) -> Area | None:
    return Area.objects.filter(level=AreaLevel.DISTRICT, name=name).first()


@config_cache
def _street_named(name: str, district_id: int) -> Area | None:
    return Area.objects.filter(level=AreaLevel.STREET, name=name, parent_id=district_id).first()


@config_cache
def _address_coded(code: str) -> StandardAddress | None:
    return StandardAddress.objects.select_related("grid").filter(code=code).first()


class _GazetteerCache:
    """One gazetteer per process, rebuilt when the city's areas change."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.key: tuple[object, ...] | None = None
        self.value: Gazetteer | None = None

    def get(self) -> Gazetteer:
        key = area_fingerprint()
        with self.lock:
            if key != self.key or self.value is None:
                self.value = _build_gazetteer()
                self.key = key
            return self.value

    def forget(self) -> None:
        with self.lock:
            self.key, self.value = None, None


def _build_gazetteer() -> Gazetteer:
    districts = {a.pk: a.name for a in Area.objects.filter(level=AreaLevel.DISTRICT)}
    streets = Area.objects.filter(level=AreaLevel.STREET).values_list("name", "parent_id")
    return Gazetteer(
        gazetteer.load_places(),
        [(name, districts[parent]) for name, parent in streets if parent in districts],
        districts.values(),
    )


gazetteers = _GazetteerCache()
on_clear(gazetteers.forget)


def _areas(text_place: TextPlace) -> tuple[Area | None, Area | None]:
    """The district and street Area rows a text reading names (by name, as the city has
    them); a name the city lacks is dropped, so the reading falls a level."""
    district = _district_named(text_place.district) if text_place.district else None
    street = None
    if district is not None and text_place.street:
        street = _street_named(text_place.street, district.pk)
    return district, street


def _from_address(address: StandardAddress, reasons: list[str]) -> PlaceFound:
    grid = address.grid
    return PlaceFound(
        Placement.ADDRESS,
        grid=grid,
        street=ancestor_at(grid, AreaLevel.STREET),
        district=ancestor_at(grid, AreaLevel.DISTRICT),
        address=address,
        lat=address.lat,
        lng=address.lng,
        reasons=reasons,
    )


def place_text(text: str, match: AddressMatch | None) -> PlaceFound:
    """The finest place a text supports. A standard address the matcher proposes is kept
    unless the text's own roads, streets or district say it lies elsewhere (a road name of
    one district matched, one character off, in another)."""
    reading = gazetteers.get().read(text)
    if match is not None:
        address = _address_coded(match.code)
        assert address is not None, f"the matcher knows a removed address {match.code}"
        found = _from_address(address, list(match.reasons))
        said = reading.level != gazetteer.CITY
        names = [a.name if a else "" for a in (found.street, found.district)]
        if not (said and reading.contradicts(*names)):
            return found
        reading.reasons.insert(
            0,
            _("标准地址“%(address)s”与文中的地名不符，未采用") % {"address": address.full_text},
        )
    district_area, street_area = _areas(reading)
    reasons = list(reading.reasons)
    if street_area is not None:
        level = Placement.ROAD if reading.level == gazetteer.ROAD else Placement.STREET
        return PlaceFound(level, street=street_area, district=district_area, reasons=reasons)
    if district_area is not None:
        return PlaceFound(Placement.DISTRICT, district=district_area, reasons=reasons)
    reasons.append(_("未能匹配到标准地址、道路、街道或区，由市12345中心兜底，需人工定位"))
    return PlaceFound(Placement.CITY, reasons=reasons)


def place_point(lat: float, lng: float) -> PlaceFound | None:
    """The grid a map point falls in, or None when it lies outside every grid."""
    grid = grid_at(lat, lng)
    if grid is None:
        return None
    return PlaceFound(
        Placement.POINT,
        grid=grid,
        street=ancestor_at(grid, AreaLevel.STREET),
        district=ancestor_at(grid, AreaLevel.DISTRICT),
        lat=lat,
        lng=lng,
        reasons=[_("地图选点：%(grid)s") % {"grid": grid.name}],
    )


def check_place_by(place_by: str) -> None:
    if place_by not in PLACE_BY_CHOICES:
        raise invalid_field("place_by", _("定位依据只能是 map 或 text：%(value)s"), value=place_by)


def choose(text: PlaceFound | None, point: PlaceFound | None, place_by: str) -> PlaceFound | None:
    """The place to keep when a text and a map point both say where the appeal is.

    They agree: the finer one (the point's grid, or the standard address). They disagree:
    `place_by` decides, and without it the submission is refused with both readings."""
    if point is None or text is None:
        return point or text
    if place_by == PLACE_BY_MAP:
        point.reasons.append(
            _("提交人选择以地图选点为准（填写的地址指向%(text)s）") % {"text": text.where}
        )
        return point
    if place_by == PLACE_BY_TEXT:
        text.reasons.append(
            _("提交人选择以填写的地址为准（地图选点位于%(point)s，未采用）")
            % {"point": point.where}
        )
        return text
    if text.disagrees_with(point):
        raise DomainError(
            "place_conflict",
            _(
                "地图选点位于%(point)s，填写的地址却在%(text)s：请选择以哪一个为准"
                "（place_by = map 或 text）"
            ),
            field="place_by",
            point=point.where,
            text=text.where,
        )
    return text if text.level == Placement.ADDRESS else point
