"""POST requests becomes an appeal of channel open311 through intake; GET requests,
requests/{id} and tokens/{token} read it back masked, with the spec's filters, window and
the extensions (paging, notes, updated_after/before)."""

from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.test import Client
from PIL import Image

from cityloop.appeals.enums import Channel
from cityloop.appeals.models import Appeal
from cityloop.handling.models import Attachment
from cityloop.integrations.open311.tests.helpers import (
    STREET_LIGHT,
    errors_of,
    form,
    issue,
    xml_requests,
)
from cityloop.kernel import clock
from cityloop.org.models import ApiKeyUse, KeyScope
from cityloop.testing import TinyCity

pytestmark = pytest.mark.django_db


def _png() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(data, "PNG")
    data.seek(0)
    data.name = "photo.png"
    return data


def test_a_posted_request_is_an_appeal_dispatched_by_the_rules(city: TinyCity) -> None:
    raw = issue(city)
    answer = Client().post("/open311/v2/requests.json", form(city, raw))
    assert answer.status_code == 200, answer.content
    created = answer.json()[0]
    appeal = Appeal.objects.get(tracking_code=created["service_request_id"])
    assert appeal.channel == Channel.OPEN311
    assert appeal.caller_name == "张三丰" and appeal.caller_phone == "13912345678"
    assert appeal.main_unit == city.street_offices[0]  # dispatched by the rules
    assert appeal.events.first().action == "receive"
    assert created["token"] and created["service_request_id"] in created["service_notice"]
    # the token leads back to the request
    token = Client().get(f"/open311/v2/tokens/{quote(created['token'])}.json").json()[0]
    assert token["service_request_id"] == appeal.tracking_code
    assert ApiKeyUse.objects.get().status == 200  # the use was logged


def test_attributes_single_and_multiple_values_shape_the_appeal(city: TinyCity) -> None:
    raw = issue(city)
    parent = city.category(*STREET_LIGHT[:2])
    fields = form(
        city,
        raw,
        service_code=parent.code,
        **{
            "attribute[subcategory]": city.category(*STREET_LIGHT).code,
            "attribute[urgency]": "emergency",
            "attribute[title]": "路灯全灭",
            "attribute[people_affected]": "30",
            "attribute[noticed_at]": "2026-11-30T21:00:00+08:00",
            "attribute[site_conditions][]": ["blocks_traffic", "safety_hazard"],
        },
    )
    answer = Client().post("/open311/v2/requests.xml", fields)
    assert answer.status_code == 200, answer.content
    code = xml_requests(answer)[0]["service_request_id"]
    appeal = Appeal.objects.get(tracking_code=code)
    assert appeal.category == city.category(*STREET_LIGHT)
    assert appeal.urgency == "emergency" and appeal.title == "路灯全灭"
    assert "受影响人数：30" in appeal.content
    assert "现场情况：影响通行、存在安全隐患" in appeal.content
    assert "发现时间：2026-11-30 21:00" in appeal.content


@pytest.mark.parametrize(
    "location",
    [
        {"lat": "39.95", "long": "116.45", "address_id": None},
        {"address_string": "建外街道光华路 1 号", "address_id": None},
    ],
)
def test_location_by_point_or_by_address_text(city: TinyCity, location: dict) -> None:
    raw = issue(city)
    answer = Client().post("/open311/v2/requests.json", form(city, raw, **location))
    assert answer.status_code == 200, answer.content
    appeal = Appeal.objects.get(tracking_code=answer.json()[0]["service_request_id"])
    if "lat" in location:
        assert (appeal.lat, appeal.lng) == (39.95, 116.45)
    else:
        assert appeal.address_text == "建外街道光华路 1 号"


def test_multipart_with_media_keeps_the_photo(city: TinyCity) -> None:
    raw = issue(city)
    answer = Client().post("/open311/v2/requests.json", {**form(city, raw), "media": _png()})
    assert answer.status_code == 200, answer.content
    appeal = Appeal.objects.get(tracking_code=answer.json()[0]["service_request_id"])
    assert Attachment.objects.filter(appeal=appeal).count() == 1
    bad = io.BytesIO(b"<html>not a photo</html>")
    bad.name = "photo.png"
    refused = Client().post("/open311/v2/requests.json", {**form(city, raw), "media": bad})
    assert refused.status_code == 400 and errors_of(refused)
    assert Appeal.objects.count() == 1  # nothing kept of the refused one


def test_reading_masks_personal_data_and_shows_the_loop(city: TinyCity) -> None:
    appeal = city.replied(
        content="我是张三丰，电话13912345678，家住光华路5号楼3单元，路灯坏了", text="已修复路灯"
    )
    listed = Client().get("/open311/v2/requests.json").json()
    assert [r["service_request_id"] for r in listed] == [appeal.tracking_code]
    request = listed[0]
    assert "13912345678" not in request["description"] and "张三丰" not in request["description"]
    assert request["status"] == "closed" and request["status_notes"] == "已修复路灯"
    assert request["agency_responsible"] == city.street_offices[0].name
    assert request["requested_datetime"].endswith("+08:00")
    assert request["expected_datetime"].endswith("+08:00")
    detail = Client().get(f"/open311/v2/requests/{appeal.tracking_code}.json?extensions=true")
    notes = detail.json()[0]["notes"]
    assert [n["summary"] for n in notes] == ["受理", "派单", "签收", "办结答复"]
    # staff are named by their unit, never by their own name
    assert {n["agency"] for n in notes} == {"12345 市民服务热线", city.street_offices[0].name}
    assert detail.json()[0]["extended_attributes"]["detailed_status"] == "REPLIED"
    xml = xml_requests(Client().get(f"/open311/v2/requests/{appeal.tracking_code}.xml"))
    assert xml[0]["status"] == "closed" and xml[0]["agency_responsible"]


def test_filters_window_and_paging(city: TinyCity) -> None:
    old = city.receive(received_at=clock.now() - timedelta(days=120))
    open_one = city.receive()
    closed = city.replied()
    ids = lambda url: [r["service_request_id"] for r in Client().get(url).json()]  # noqa: E731
    # default window: the last 90 days
    assert set(ids("/open311/v2/requests.json")) == {open_one.tracking_code, closed.tracking_code}
    assert ids("/open311/v2/requests.json?status=open") == [open_one.tracking_code]
    assert ids("/open311/v2/requests.json?status=closed") == [closed.tracking_code]
    # service_request_id overrides every other filter, the window included
    assert ids(f"/open311/v2/requests.json?status=open&service_request_id={old.tracking_code}") == [
        old.tracking_code
    ]
    start = (clock.now() - timedelta(days=121)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (clock.now() - timedelta(days=100)).strftime("%Y-%m-%d")
    assert ids(f"/open311/v2/requests.json?start_date={start}&end_date={end}") == [
        old.tracking_code
    ]
    other = city.category("城乡建设", "城市建设和市政管理").code
    assert len(ids(f"/open311/v2/requests.json?service_code={other}")) == 2  # the subtree
    first = ids("/open311/v2/requests.json?page_size=1")
    second = ids("/open311/v2/requests.json?page_size=1&page=2")
    assert len(first) == len(second) == 1 and first != second
    later = (clock.now() + timedelta(minutes=1)).isoformat()
    assert ids(f"/open311/v2/requests.json?updated_after={quote(later)}") == []
    assert len(ids(f"/open311/v2/requests.json?updated_before={quote(later)}")) == 2


def test_a_key_limited_to_units_sees_only_theirs(city: TinyCity) -> None:
    mine = city.receive(street=0)
    city.receive(street=1)
    raw = issue(city, KeyScope.OPEN311_READ, units=(city.street_offices[0],))
    seen = Client().get(f"/open311/v2/requests.json?api_key={raw}").json()
    assert [r["service_request_id"] for r in seen] == [mine.tracking_code]
    assert len(Client().get("/open311/v2/requests.json").json()) == 2  # anonymous: public


def test_the_key_may_come_as_a_header(city: TinyCity) -> None:
    raw = issue(city)
    fields = form(city, raw, api_key=None)
    answer = Client().post("/open311/v2/requests.json", fields, HTTP_X_API_KEY=raw)
    assert answer.status_code == 200, answer.content
    assert ApiKeyUse.objects.count() == 1
