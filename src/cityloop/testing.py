"""A small hand-built city for tests: one district, two streets, a community and a grid
each, the units that serve them, staff in every role and a few responsibility rules.
Loaded as a pytest plugin (see conftest.py)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from cityloop.access.actors import Actor
from cityloop.bootstrap import CENTER_CODE, seed_reference
from cityloop.dispatch.models import ResponsibilityRule, RuleTarget
from cityloop.geo.models import Area, AreaLevel, StandardAddress
from cityloop.org.models import Role, StaffProfile, Unit, UnitKind
from cityloop.taxonomy.models import Category

PASSWORD = "test-pass-123"


def _square(lng: float, lat: float, size: float) -> list[list[float]]:
    return [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]


@dataclass
class TinyCity:
    district: Area
    streets: list[Area]
    grids: list[Area]
    addresses: list[StandardAddress]
    center: Unit
    district_gov: Unit
    street_offices: list[Unit]
    water: Unit
    cityops: Unit
    users: dict[str, Any]

    def actor(self, username: str) -> Actor:
        return Actor.from_user(self.users[username])

    def client(self, username: str) -> Client:
        client = Client()
        client.force_login(self.users[username])
        return client

    def admin_client(self) -> Client:
        """The system administrator, logged in to /admin/ (made on first use, so the other
        tests' staff lists stay as they were)."""
        if "admin" not in self.users:
            user = get_user_model().objects.create_superuser("admin", password=PASSWORD)
            StaffProfile.objects.create(
                user=user, unit=self.center, role=Role.ADMIN, display_name="admin"
            )
            self.users["admin"] = user
        return self.client("admin")

    def category(self, *names: str) -> Category:
        return Category.objects.get(path=" › ".join(names))

    def receive(
        self,
        *,
        street: int = 0,
        category: tuple[str, ...] = ("城乡建设", "城市建设和市政管理", "城市公共设施"),
        auto_dispatch: bool = True,
        **fields: Any,
    ) -> Any:
        """A street-light appeal taken by the call-taker at a street's standard address (it
        goes to that street's office unless `auto_dispatch=False`); any draft field can be
        given."""
        from cityloop.intake.services import AppealDraft, receive_appeal

        draft = AppealDraft(
            **{
                "channel": "phone",
                "title": "路灯不亮",
                "content": "小区门口路灯坏了",
                "caller_phone": "13800138000",
                "standard_address_code": self.addresses[street].code,
                "category_code": self.category(*category).code,
                **fields,
            }
        )
        return receive_appeal(draft, actor=self.actor("calltaker"), auto_dispatch=auto_dispatch)

    def replied(self, *, street: int = 0, text: str = "已处理", **fields: Any) -> Any:
        """An appeal received as `receive` takes it, signed for and replied to by the
        handler of its street's office."""
        from cityloop.handling.services import reply, sign_for

        appeal = self.receive(street=street, **fields)
        handler = self.actor(f"handler{street + 1}")
        sign_for(appeal.tracking_code, actor=handler)
        reply(appeal.tracking_code, actor=handler, text=text)
        appeal.refresh_from_db()
        return appeal


def build_tiny_city() -> TinyCity:
    seed_reference()
    city = Area.objects.create(
        code="110000", name="北京市", level=AreaLevel.CITY, polygon=_square(116.0, 39.0, 2.0)
    )
    district = Area.objects.create(
        code="110105",
        name="朝阳区",
        level=AreaLevel.DISTRICT,
        parent=city,
        polygon=_square(116.4, 39.9, 0.2),
    )
    streets, grids, addresses = [], [], []
    for i, name in enumerate(["建外街道", "朝外街道"]):
        lng = 116.4 + 0.1 * i
        street = Area.objects.create(
            code=f"11010500{i + 1}",
            name=name,
            level=AreaLevel.STREET,
            parent=district,
            polygon=_square(lng, 39.9, 0.1),
        )
        community = Area.objects.create(
            code=f"{street.code}001",
            name=f"{name[:2]}社区",
            level=AreaLevel.COMMUNITY,
            parent=street,
            polygon=_square(lng, 39.9, 0.1),
        )
        grid = Area.objects.create(
            code=f"{community.code}01",
            name=f"{name[:2]}第1网格",
            level=AreaLevel.GRID,
            parent=community,
            polygon=_square(lng, 39.9, 0.1),
        )
        addresses.append(
            StandardAddress.objects.create(
                code=f"A{i + 1}",
                full_text=f"北京市朝阳区{name}光华路{i + 1}号院3号楼",
                road="光华路",
                number=f"{i + 1}号院",
                building="3号楼",
                lat=39.95,
                lng=lng + 0.05,
                grid=grid,
            )
        )
        streets.append(street)
        grids.append(grid)
    center = Unit.objects.get(code=CENTER_CODE)
    district_gov = Unit.objects.create(
        code="GOV-110105", name="朝阳区人民政府", kind=UnitKind.DISTRICT_GOVERNMENT, area=district
    )
    offices = [
        Unit.objects.create(
            code=f"ST-{s.code}",
            name=f"{s.name}办事处",
            kind=UnitKind.STREET_OFFICE,
            area=s,
            parent=district_gov,
        )
        for s in streets
    ]
    water = Unit.objects.create(code="WATER", name="北京市自来水集团", kind=UnitKind.UTILITY)
    cityops = Unit.objects.create(code="CGW", name="市城市管理委员会", kind=UnitKind.DEPARTMENT)
    water_category = Category.objects.get(name="自来水供应")
    ResponsibilityRule.objects.create(
        category=water_category, unit=water, priority=10, reason="自来水供应问题由自来水集团负责"
    )
    ResponsibilityRule.objects.create(
        category=Category.objects.get(path="城乡建设 › 城市建设和市政管理"),
        target=RuleTarget.STREET_OF_LOCATION,
        reason="市政管理问题由属地街道负责",
    )
    users = {}
    for username, role, unit in [
        ("calltaker", Role.CALL_TAKER, center),
        ("dispatcher", Role.DISPATCHER, center),
        ("supervisor", Role.SUPERVISOR, center),
        ("analyst", Role.ANALYST, center),
        ("handler1", Role.HANDLER, offices[0]),
        ("handler2", Role.HANDLER, offices[1]),
        ("waterman", Role.HANDLER, water),
        ("cgw", Role.HANDLER, cityops),
        ("district_supervisor", Role.SUPERVISOR, district_gov),
    ]:
        user = get_user_model().objects.create_user(username, password=PASSWORD)
        StaffProfile.objects.create(user=user, unit=unit, role=role, display_name=username)
        users[username] = user
    return TinyCity(
        district, streets, grids, addresses, center, district_gov, offices, water, cityops, users
    )


@pytest.fixture
def city(db: None) -> TinyCity:
    return build_tiny_city()


@pytest.fixture
def city_tx(transactional_db: None) -> TinyCity:
    return build_tiny_city()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _reply_gate_warns(settings: Any) -> None:
    """The suite's placeholder replies ("已处理", "已修复") predate the reply gate, whose
    default (confirm) would stop them: tests run with the gate warning, as before it
    existed; the tests of the gate set its mode themselves."""
    settings.CITYLOOP_REPLY_GATE = "warn"


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> None:
    """A rolled-back test must not leave its calendar rows in the process cache."""
    from cityloop.kernel.cache import clear_config_caches
    from cityloop.kernel.wake import forget_wake_ups
    from cityloop.sla.calendar import forget_cached_calendar

    forget_cached_calendar()
    clear_config_caches()
    forget_wake_ups()


@pytest.fixture(autouse=True)
def _fresh_throttle_counts(request: pytest.FixtureRequest) -> None:
    """Every test starts with no counted attempts. The throttles count in the database cache,
    whose table is not a model, so a transactional test's flush would leave counts behind."""
    uses_database = request.node.get_closest_marker("django_db") or {
        "_django_db_helper",
        "live_server",
    } & set(request.fixturenames)
    if not uses_database:
        return
    from django.core.cache import cache

    request.getfixturevalue("_django_db_helper")
    cache.clear()


def post_json(
    client: Client, url: str, payload: Any = None, content_type: str = "application/json"
) -> Any:
    """POST as an API client does: a dict is sent as JSON, a str or bytes body as it is."""
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload or {})
    return client.post(url, data=body, content_type=content_type)


def intake_over_api(city: TinyCity, **fields: Any) -> Any:
    """A street-light appeal taken over the API by the call-taker at street 0's standard
    address, not dispatched unless `auto_dispatch=True` is given; any field can be given."""
    payload = {
        "channel": "phone",
        "title": "路灯不亮",
        "content": "小区门口路灯坏了",
        "caller_phone": "13800138000",
        "standard_address_code": city.addresses[0].code,
        "category_code": city.category("城乡建设", "城市建设和市政管理", "城市公共设施").code,
        "auto_dispatch": False,
        **fields,
    }
    return post_json(city.client("calltaker"), "/api/appeals", payload)


def rated_appeal(
    city: TinyCity,
    *,
    contacted: bool = True,
    resolved: bool = True,
    satisfaction: str = "satisfied",
) -> str:
    """An appeal received, signed for, replied and called back over the API, now; its code."""
    created = intake_over_api(city, content="光华路1号院门口的路灯坏了", auto_dispatch=True)
    assert created.status_code == 201, created.content
    code = created.json()["tracking_code"]
    handler = city.client("handler1")
    assert post_json(handler, f"/api/appeals/{code}/sign-for").status_code == 200
    assert post_json(handler, f"/api/appeals/{code}/reply", {"text": "已修复"}).status_code == 200
    rated = post_json(
        city.client("calltaker"),
        f"/api/appeals/{code}/callback",
        {
            "contacted": contacted,
            "resolved": resolved,
            "satisfaction": satisfaction,
            "reopen_if_unresolved": False,
        },
    )
    assert rated.status_code == 201, rated.content
    return code


def rank_from(minimum: int) -> None:
    """Rank units from `minimum` valid callbacks a month on (考核设置, default 30), for tests
    of a tiny city whose units have a few callbacks each."""
    from cityloop.evaluate.models import AssessmentSettings

    AssessmentSettings.objects.filter(pk=AssessmentSettings.current().pk).update(
        min_callbacks=minimum
    )


def timeline_actions(client: Client, code: str) -> list[str]:
    """The actions of an appeal's timeline, oldest first, as `client` reads them."""
    return [event["action"] for event in client.get(f"/api/appeals/{code}/timeline").json()]


def recorded_actions(appeal: Any) -> list[str]:
    """The actions recorded on an appeal (the row or its tracking code), oldest first, read
    from the database."""
    from cityloop.appeals.models import AppealEvent

    events = AppealEvent.objects.all()
    if isinstance(appeal, str):
        events = events.filter(appeal__tracking_code=appeal)
    else:
        events = events.filter(appeal=appeal)
    return list(events.order_by("seq").values_list("action", flat=True))


def instant(value: str) -> datetime:
    """An instant as the API writes it (ISO 8601, maybe with a Z)."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.fixture
def still_clocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hold time.time (the throttles' windows) and time.monotonic (the configuration caches'
    epochs) still, so a slow run never crosses a window or an epoch by chance between two
    steps of a test; `later_by` and `config_caches_expire` move them on on purpose."""
    import time

    wall, monotonic = time.time(), time.monotonic()
    monkeypatch.setattr(time, "time", lambda: wall)
    monkeypatch.setattr(time, "monotonic", lambda: monotonic)


def later_by(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Move the throttles' clock (django-ratelimit windows read time.time()) forward."""
    import time

    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + seconds)


def config_caches_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    """Move the configuration caches' clock (time.monotonic) past their TTL, as a server
    process sees an administrator's edit once the cached copy has expired."""
    import time

    from cityloop.kernel.cache import TTL_SECONDS

    real = time.monotonic
    monkeypatch.setattr(time, "monotonic", lambda: real() + TTL_SECONDS)


def cli_env(data_dir: Any) -> dict[str, str]:
    """The environment a `cityloop` command in a subprocess runs with: its own data folder
    (SQLite, whatever database the tests use), and this tree's code and tests on the path (a
    worker may import tests.cli.jobs)."""
    import os
    from pathlib import Path

    env = {**os.environ, "CITYLOOP_DATA_DIR": str(data_dir)}
    env.pop("CITYLOOP_DATABASE_URL", None)
    source = Path(__file__).resolve().parents[1]
    paths = [str(source.parent), str(source), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(path for path in paths if path)
    return env


def free_port() -> int:
    """A TCP port nothing listens on now, for a server started by a test."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def png_bytes(size: int = 8) -> bytes:
    """A small real PNG: uploads are checked by decoding them, so a made-up header fails."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (size, size), "red").save(buffer, "PNG")
    return buffer.getvalue()


def admin_form(client: Client, url: str, **changes: Any) -> dict[str, Any]:
    """The fields of an admin add or change form as the page fills them in, with `changes`
    over them: what a browser would POST back after the admin edited those fields. A
    checkbox is sent only when true, a split date-time as its two parts."""
    from django.forms import MultiWidget

    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    form = page.context["adminform"].form
    data: dict[str, Any] = {}
    for field in form:
        if field.field.disabled:
            continue
        value = changes.pop(field.name, field.value())
        if isinstance(field.field.widget, MultiWidget) and not isinstance(value, list):
            value = field.field.widget.decompress(value)
        if isinstance(field.field.widget, MultiWidget):
            for index, part in enumerate(value):
                data[f"{field.html_name}_{index}"] = "" if part is None else str(part)
        elif isinstance(value, bool):
            if value:
                data[field.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[field.html_name] = [str(item) for item in value]
        else:
            data[field.html_name] = "" if value is None else str(value)
    assert not changes, f"not fields of {url}: {sorted(changes)}"
    return data


def admin_save(client: Client, url: str, **changes: Any) -> Any:
    """POST an admin add or change form with `changes`; a saved form redirects (302)."""
    response = client.post(url, admin_form(client, url, **changes))
    assert response.status_code == 302, _form_errors(response)
    return response


def _form_errors(response: Any) -> Any:
    context = getattr(response, "context", None)
    if context and "adminform" in context:
        return context["adminform"].form.errors
    return response.status_code


@pytest.fixture(autouse=True)
def _own_analytics_store(settings: Any, tmp_path: Any) -> None:
    """Each test has an analytics store of its own (tests run in parallel workers, and a
    demo city built in one must not meet another's Parquet files)."""
    settings.CITYLOOP_ANALYTICS_DIR = str(tmp_path / "analytics")


@pytest.fixture
def analytics_store() -> Callable[[], None]:
    """Call the fixture's value to export what the test has written so far to its store
    (the nightly export, run now)."""

    def export() -> None:
        from cityloop.analytics.store import export_store

        export_store(progress=None)

    return export
