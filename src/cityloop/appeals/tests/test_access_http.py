"""A unit sees and changes only what is its own: every API and page route that takes a
tracking code or an object id, asked by another unit of the same role (refused, nothing
changes) and by the unit that holds the appeal (allowed)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from cityloop.appeals.models import Appeal, AppealEvent
from cityloop.evaluate.models import AssessmentExclusion, Callback
from cityloop.evaluate.services import request_exclusion
from cityloop.handling.attachments import attach
from cityloop.handling.services import reply, sign_for
from cityloop.org.models import Role, StaffProfile
from cityloop.oversight.models import ExtensionRequest, SupervisionOrder
from cityloop.oversight.services import request_extension, supervise
from cityloop.testing import png_bytes, post_json

PNG = png_bytes()

# Who holds the appeals below, and an actor of the same role who does not: a street
# office's handler against the other street's; the district supervisor (over both streets)
# against a supervisor of the water company.
OWNER = {"handler": "handler1", "supervisor": "district_supervisor"}
OUTSIDER = {"handler": "handler2", "supervisor": "water_supervisor"}


@dataclass
class Scene:
    dispatched: str  # waiting for sign-for
    signed: str  # signed, nothing else
    busy: str  # signed, with a pending extension, an open supervision order, an attachment
    replied: str  # replied, no callback or exclusion yet
    excluded: str  # replied, with a pending exclusion request
    extension: int
    order: int
    attachment: int


def build_scene(city: Any) -> Scene:
    user = get_user_model().objects.create_user("water_supervisor", password="x")
    StaffProfile.objects.create(user=user, unit=city.water, role=Role.SUPERVISOR)
    city.users["water_supervisor"] = user
    handler, supervisor = city.actor("handler1"), city.actor("supervisor")
    codes = [city.receive(content=f"小区门口路灯不亮{i}").tracking_code for i in range(5)]
    dispatched, signed, busy, replied, excluded = codes
    for code in (signed, busy, replied, excluded):
        sign_for(code, actor=handler)
    for code in (replied, excluded):
        reply(code, actor=handler, text="已更换灯泡，路灯恢复照明。")
    request_exclusion(excluded, actor=handler, reason="市政电网故障，非本单位原因")
    extension = request_extension(
        busy, actor=handler, extra_working_days=3, reason="需协调供电部门"
    )
    order = supervise(busy, actor=supervisor, requirement="请尽快办理")
    [attachment] = attach(
        busy, actor=handler, uploads=[SimpleUploadedFile("现场.png", PNG, "image/png")]
    )
    return Scene(dispatched, signed, busy, replied, excluded, extension.pk, order.pk, attachment.pk)


def snapshot(scene: Scene) -> dict[str, Any]:
    """Everything a refused request must leave as it was."""
    return {
        "appeals": sorted(Appeal.objects.values_list("tracking_code", "version", "status")),
        "events": AppealEvent.objects.count(),
        "extension": ExtensionRequest.objects.get(pk=scene.extension).status,
        "extensions": ExtensionRequest.objects.count(),
        "order": SupervisionOrder.objects.get(pk=scene.order).status,
        "orders": SupervisionOrder.objects.count(),
        "exclusions": list(AssessmentExclusion.objects.values_list("appeal_id", "status")),
        "callbacks": Callback.objects.count(),
    }


def api(method: str, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"method": method, "path": path, "json": payload}


def page(method: str, path: str, form: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"method": method, "path": path, "form": form}


# route name → (whose route: handler or supervisor, the request built from the scene)
ROUTES: dict[str, tuple[str, Any]] = {
    "api detail": ("handler", lambda s: api("get", f"/api/appeals/{s.busy}")),
    "api timeline": ("handler", lambda s: api("get", f"/api/appeals/{s.busy}/timeline")),
    "api suggestions": ("handler", lambda s: api("get", f"/api/appeals/{s.busy}/suggestions")),
    "api duplicates": ("handler", lambda s: api("get", f"/api/appeals/{s.busy}/duplicates")),
    "api reply check": (
        "handler",
        lambda s: api("post", f"/api/appeals/{s.busy}/reply-check", {"text": "已修复"}),
    ),
    "api sign for": ("handler", lambda s: api("post", f"/api/appeals/{s.dispatched}/sign-for")),
    "api contact": (
        "handler",
        lambda s: api("post", f"/api/appeals/{s.signed}/contact", {"note": "已电话联系"}),
    ),
    "api reply": (
        "handler",
        lambda s: api("post", f"/api/appeals/{s.signed}/reply", {"text": "已修复路灯"}),
    ),
    "api defer": (
        "handler",
        lambda s: api(
            "post",
            f"/api/appeals/{s.signed}/defer",
            {"reason": "纳入明年改造计划", "planned_date": "2099-06-30"},
        ),
    ),
    "api send back": (
        "handler",
        lambda s: api("post", f"/api/appeals/{s.signed}/send-back", {"reason": "不属本单位职责"}),
    ),
    "api extension request": (
        "handler",
        lambda s: api(
            "post",
            f"/api/appeals/{s.signed}/extensions",
            {"extra_working_days": 2, "reason": "需协调"},
        ),
    ),
    "api extension decision": (
        "supervisor",
        lambda s: api("post", f"/api/extensions/{s.extension}/decision", {"approve": True}),
    ),
    "api supervision order": (
        "supervisor",
        lambda s: api("post", f"/api/appeals/{s.signed}/supervision", {"requirement": "抓紧"}),
    ),
    "api supervision response": (
        "handler",
        lambda s: api("post", f"/api/supervision/{s.order}/response", {"response": "正在办理"}),
    ),
    "api callback": (
        "supervisor",
        lambda s: api(
            "post",
            f"/api/appeals/{s.replied}/callback",
            {"contacted": True, "resolved": True, "satisfaction": "satisfied"},
        ),
    ),
    "api exclusion request": (
        "handler",
        lambda s: api("post", f"/api/appeals/{s.replied}/exclusion", {"reason": "非本单位原因"}),
    ),
    "api exclusion decision": (
        "supervisor",
        lambda s: api("post", f"/api/appeals/{s.excluded}/exclusion/decision", {"approve": True}),
    ),
    "api category": (
        "supervisor",
        lambda s: api(
            "post",
            f"/api/appeals/{s.signed}/category",
            {"category_code": Appeal.objects.get(tracking_code=s.signed).category.code},
        ),
    ),
    "api redispatch": (
        "supervisor",
        lambda s: api(
            "post",
            f"/api/appeals/{s.signed}/redispatch",
            {"unit_code": "ST-110105002", "reason": "属朝外街道"},
        ),
    ),
    "api merge": (
        "supervisor",
        lambda s: api(
            "post", f"/api/appeals/{s.signed}/merge", {"into_code": s.busy, "reason": "同一路灯"}
        ),
    ),
    "page appeal": ("handler", lambda s: page("get", f"/appeals/{s.busy}/")),
    "page attachment": ("handler", lambda s: page("get", f"/attachments/{s.attachment}/")),
    "page sign for": ("handler", lambda s: page("post", f"/appeals/{s.dispatched}/sign_for/", {})),
    "page contact": (
        "handler",
        lambda s: page("post", f"/appeals/{s.signed}/record_contact/", {"note": "已联系"}),
    ),
    "page reply": (
        "handler",
        lambda s: page("post", f"/appeals/{s.signed}/reply/", {"text": "已修复路灯"}),
    ),
    "page send back": (
        "handler",
        lambda s: page("post", f"/appeals/{s.signed}/send_back/", {"reason": "不属本单位"}),
    ),
    "page extension request": (
        "handler",
        lambda s: page(
            "post",
            f"/appeals/{s.signed}/request_extension/",
            {"extra_working_days": "2", "reason": "需协调"},
        ),
    ),
    "page defer": (
        "handler",
        lambda s: page(
            "post",
            f"/appeals/{s.signed}/defer/",
            {"planned_date": "2099-06-30", "reason": "纳入明年改造计划"},
        ),
    ),
    "page attach": (
        "handler",
        lambda s: page(
            "post",
            f"/appeals/{s.signed}/attach/",
            {"attachments": SimpleUploadedFile("现场.png", PNG, "image/png")},
        ),
    ),
    "page supervise": (
        "supervisor",
        lambda s: page("post", f"/appeals/{s.signed}/supervise/", {"requirement": "抓紧办理"}),
    ),
    "page extension decision": (
        "supervisor",
        lambda s: page("post", f"/board/extensions/{s.extension}/", {"decision": "approve"}),
    ),
}


def send(client: Any, request: dict[str, Any]) -> Any:
    if request["method"] == "get":
        return client.get(request["path"])
    if "json" in request:
        body = json.dumps(request["json"] or {})
        return client.post(request["path"], data=body, content_type="application/json")
    return client.post(request["path"], request["form"])


@pytest.mark.parametrize("route", list(ROUTES))
def test_another_unit_is_refused_and_nothing_changes_its_own_is_allowed(city, route):
    scene = build_scene(city)
    who, build = ROUTES[route]
    before = snapshot(scene)

    refused = send(city.client(OUTSIDER[who]), build(scene))
    assert refused.status_code in (403, 404), (route, refused.status_code, refused.content)
    assert snapshot(scene) == before, f"{route}: a refused request changed something"

    allowed = send(city.client(OWNER[who]), build(scene))
    assert allowed.status_code in (200, 201, 302), (route, allowed.status_code, allowed.content)
    if build(scene)["method"] == "post" and route != "api reply check":
        assert snapshot(scene) != before, f"{route}: the owner's request did nothing"


def test_a_send_back_answers_with_the_appeal_as_it_was_left(city):
    code = city.receive().tracking_code
    office = city.client("handler1")
    answer = post_json(office, f"/api/appeals/{code}/send-back", {"reason": "不属本单位职责"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "sent_back" and answer.json()["main_unit"] is None
    assert Appeal.objects.get(tracking_code=code).status == "sent_back"
    # and from now on the street office no longer sees it
    assert office.get(f"/api/appeals/{code}").status_code == 403


def test_an_assisting_units_reply_answers_with_the_result_then_ends_its_hold(city):
    code = city.receive(assist_unit_codes=["WATER"]).tracking_code
    water = city.client("waterman")
    assert post_json(water, f"/api/appeals/{code}/sign-for", {}).status_code == 200
    answer = post_json(water, f"/api/appeals/{code}/reply", {"text": "已关闭阀门配合维修"})
    assert answer.status_code == 200, answer.content
    [assist] = [a for a in answer.json()["assignments"] if a["unit"]["code"] == "WATER"]
    assert assist["status"] == "replied" and assist["note"] == "已关闭阀门配合维修"
    assert water.get(f"/api/appeals/{code}").status_code == 403


def test_an_assisting_unit_cannot_request_the_main_units_exclusion(city):
    code = city.receive(assist_unit_codes=["WATER"]).tracking_code
    sign_for(code, actor=city.actor("waterman"))
    sign_for(code, actor=city.actor("handler1"))
    reply(code, actor=city.actor("handler1"), text="已更换灯泡，路灯恢复照明。")
    asked = {"reason": "非本单位原因"}
    refused = post_json(city.client("waterman"), f"/api/appeals/{code}/exclusion", asked)
    assert refused.status_code == 403 and not AssessmentExclusion.objects.exists()
    done = post_json(city.client("handler1"), f"/api/appeals/{code}/exclusion", asked)
    assert done.status_code == 201 and AssessmentExclusion.objects.count() == 1


def test_a_district_supervisor_decides_only_exclusions_of_units_under_it(city):
    water_code = city.receive(
        category=("城乡建设", "城市建设和市政管理", "自来水供应")
    ).tracking_code
    street_code = city.receive().tracking_code
    for code, handler in ((water_code, "waterman"), (street_code, "handler1")):
        sign_for(code, actor=city.actor(handler))
        reply(code, actor=city.actor(handler), text="已处理完毕，恢复正常。")
        request_exclusion(code, actor=city.actor(handler), reason="非本单位原因")
    district = city.client("district_supervisor")
    approve = {"approve": True}
    refused = post_json(district, f"/api/appeals/{water_code}/exclusion/decision", approve)
    assert refused.status_code == 403, refused.content
    assert AssessmentExclusion.objects.get(appeal__tracking_code=water_code).status == "pending"
    allowed = post_json(district, f"/api/appeals/{street_code}/exclusion/decision", approve)
    assert allowed.status_code == 200 and allowed.json()["status"] == "approved"
    centre = post_json(
        city.client("supervisor"), f"/api/appeals/{water_code}/exclusion/decision", approve
    )
    assert centre.status_code == 200, "the 12345 centre decides for every unit"


def test_another_unit_learns_nothing_of_an_extension_or_order_already_dealt_with(city):
    scene = build_scene(city)
    owner, outsider = city.client("district_supervisor"), city.client("water_supervisor")
    decision = f"/api/extensions/{scene.extension}/decision"
    assert post_json(owner, decision, {"approve": False}).status_code == 200
    assert post_json(outsider, decision, {"approve": True}).status_code == 403
    response = f"/api/supervision/{scene.order}/response"
    assert post_json(city.client("handler1"), response, {"response": "已办理"}).status_code == 200
    assert post_json(city.client("handler2"), response, {"response": "已办理"}).status_code == 403
