"""Every action of every staff page, posted the way the browser posts it, then checked on the
page (the message, the figures) and in the appeal's recorded events."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cityloop.appeals.models import Appeal, AppealEvent
from cityloop.handling.services import reply, sign_for
from cityloop.intake.services import AppealDraft, receive_appeal
from cityloop.kernel import clock
from cityloop.oversight.models import ExtensionRequest, SupervisionOrder
from cityloop.oversight.services import request_extension, supervise
from cityloop.testing import png_bytes, recorded_actions

LIGHT = ("城乡建设", "城市建设和市政管理", "城市公共设施")


def last_event(code: str) -> AppealEvent:
    return AppealEvent.objects.filter(appeal__tracking_code=code).order_by("-seq").first()


def act(client, code: str, action: str, data=None, **extra):
    """POST an action form of the appeal page and follow to the page it lands on."""
    return client.post(f"/appeals/{code}/{action}/", data or {}, follow=True, **extra)


def shown(response) -> str:
    return response.content.decode()


def signed(city) -> str:
    code = city.receive().tracking_code
    sign_for(code, actor=city.actor("handler1"))
    return code


# ── the call-taker console ──────────────────────────────────────────────────────────────────


def test_console_receives_and_dispatches_a_call(city):
    calltaker = city.client("calltaker")
    page = calltaker.post(
        "/console/",
        {
            "caller_phone": "13900139000",
            "caller_name": "李女士",
            "content": "光华路1号院门口路灯不亮",
            "standard_address_code": city.addresses[0].code,
            "category_code": city.category(*LIGHT).code,
        },
        follow=True,
    )
    appeal = Appeal.objects.get(caller_phone="13900139000")
    link = f'<a href="/appeals/{appeal.tracking_code}/" data-testid="received-code">'
    assert f"已受理 {link}{appeal.tracking_code}</a>：已派单，建外街道办事处" in shown(page)
    assert recorded_actions(appeal.tracking_code)[:2] == ["receive", "dispatch"]
    assert last_event(appeal.tracking_code).action == "dispatch"


def test_console_refuses_an_unknown_category_and_writes_nothing(city):
    before = Appeal.objects.count()
    page = city.client("calltaker").post(
        "/console/",
        {"caller_phone": "13900139000", "content": "路灯不亮", "category_code": "NOPE"},
    )
    assert page.status_code == 400
    assert "分类编码不存在：NOPE" in shown(page)
    assert Appeal.objects.count() == before


def test_console_merges_a_repeat_call_into_the_open_case(city):
    first = city.receive().tracking_code
    page = city.client("calltaker").post(
        "/console/",
        {
            "caller_phone": "13900139001",
            "content": "光华路1号院门口路灯还是不亮",
            "standard_address_code": city.addresses[0].code,
            "category_code": city.category(*LIGHT).code,
            "merge_into": first,
        },
        follow=True,
    )
    duplicate = Appeal.objects.get(caller_phone="13900139001")
    assert "已合并" in shown(page)
    assert duplicate.status == "merged" and duplicate.merged_into.tracking_code == first
    assert recorded_actions(duplicate.tracking_code)[-1] == "merge"
    assert recorded_actions(first)[-1] == "merged_in"


def test_console_fragments_show_caller_history_and_understanding(city):
    city.receive(caller_phone="13800138000")
    calltaker = city.client("calltaker")
    history = calltaker.post("/console/caller/", {"caller_phone": "13800138000"})
    assert "1 件" in shown(history) and "1 件在办" in shown(history)
    understood = calltaker.post(
        "/console/understand/", {"content": "北京市朝阳区建外街道光华路1号院3号楼路灯不亮"}
    )
    assert 'data-testid="address-match"' in shown(understood)
    assert city.addresses[0].full_text in shown(understood)


# ── the dispatcher queue (sent-back re-dispatch and placing: appeals/tests/test_workflow_http)


def test_queue_dispatches_to_a_named_unit_with_a_co_handling_unit(city):
    appeal = city.receive(
        title="水管漏水", content="楼下水管漏水", caller_phone="", auto_dispatch=False
    )
    code = appeal.tracking_code
    dispatcher = city.client("dispatcher")
    assert code in shown(dispatcher.get("/queue/"))
    page = dispatcher.post(
        f"/queue/{code}/dispatch/",
        {"unit_code": "CGW", "assist_unit_codes": ["WATER"], "reason": "市管道路照明"},
        follow=True,
    )
    assert f"{code} 已派出" in shown(page)
    assert code not in shown(page).split('data-testid="queue"')[1], "it has left the queue"
    appeal.refresh_from_db()
    assert appeal.main_unit == city.cityops and appeal.dispatch_reason == "市管道路照明"
    assert recorded_actions(code)[-2:] == ["dispatch", "add_assist"]


def test_queue_refuses_an_unknown_unit_and_changes_nothing(city):
    appeal = receive_appeal(
        AppealDraft(channel="phone", title="", content="路灯不亮"),
        actor=city.actor("calltaker"),
        auto_dispatch=False,
    )
    version = appeal.version
    page = city.client("dispatcher").post(
        f"/queue/{appeal.tracking_code}/dispatch/", {"unit_code": "NOPE"}, follow=True
    )
    assert "单位编码不存在：NOPE" in shown(page)
    appeal.refresh_from_db()
    assert appeal.status == "received" and appeal.version == version


# ── the unit worklist ───────────────────────────────────────────────────────────────────────


def test_worklist_tabs_list_only_the_units_own_appeals(city):
    mine, other = city.receive().tracking_code, city.receive(street=1).tracking_code
    handler = city.client("handler1")
    to_sign = shown(handler.get("/worklist/", {"view": "to_sign"}))
    assert mine in to_sign and other not in to_sign
    sign_for(mine, actor=city.actor("handler1"))
    assert mine not in shown(handler.get("/worklist/", {"view": "to_sign"}))
    assert mine in shown(handler.get("/worklist/", {"view": "handling"}))


# ── the appeal page: the unit's actions ─────────────────────────────────────────────────────


def test_appeal_page_sign_for(city):
    code = city.receive().tracking_code
    page = act(city.client("handler1"), code, "sign_for")
    assert "已完成：签收" in shown(page) and 'data-testid="status">已签收' in shown(page)
    assert recorded_actions(code)[-1] == "sign_for"


def test_appeal_page_record_contact(city):
    code = signed(city)
    page = act(city.client("handler1"), code, "record_contact", {"note": "已电话联系诉求人"})
    assert "已完成：联系诉求人" in shown(page) and "已电话联系诉求人" in shown(page)
    assert last_event(code).action == "record_contact"
    assert Appeal.objects.get(tracking_code=code).status == "in_progress"


def test_appeal_page_reply_and_a_refused_empty_reply(city):
    code = signed(city)
    handler = city.client("handler1")
    empty = act(handler, code, "reply", {"text": "  "})
    assert empty.status_code == 400 and "请填写办理结果" in shown(empty)
    assert recorded_actions(code)[-1] == "sign_for", "nothing recorded"
    page = act(handler, code, "reply", {"text": "已更换光华路1号院门口路灯灯泡，恢复照明。"})
    assert "已完成：办结答复" in shown(page) and 'data-testid="status">已办结' in shown(page)
    assert recorded_actions(code)[-1] == "reply"


def test_appeal_page_request_extension(city):
    code = signed(city)
    page = act(
        city.client("handler1"),
        code,
        "request_extension",
        {"extra_working_days": "5", "reason": "需协调产权单位"},
    )
    assert "已完成：申请延期" in shown(page)
    assert 'data-testid="pending-extension"' in shown(page)
    assert recorded_actions(code)[-1] == "request_extension"


def test_appeal_page_defer_then_resume(city):
    code = signed(city)
    handler = city.client("handler1")
    planned = (timezone.localdate(clock.now()) + timedelta(days=30)).isoformat()
    page = act(handler, code, "defer", {"planned_date": planned, "reason": "需待汛期后施工"})
    assert "已完成：挂账" in shown(page) and 'data-testid="status">挂账' in shown(page)
    assert 'data-testid="resume"' in shown(page)
    page = act(handler, code, "resume", {"reason": "施工条件已具备"})
    assert "已完成：恢复办理" in shown(page) and 'data-testid="status">办理中' in shown(page)
    assert recorded_actions(code)[-2:] == ["defer", "resume"]


def test_appeal_page_send_back(city):
    code = city.receive().tracking_code
    page = act(city.client("handler1"), code, "send_back", {"reason": "不属本街道职责"})
    assert page.status_code in (200, 403)
    assert recorded_actions(code)[-1] == "send_back"
    assert Appeal.objects.get(tracking_code=code).status == "sent_back"


def test_appeal_page_attach_evidence(city, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    code = signed(city)
    upload = SimpleUploadedFile("现场.png", png_bytes(), content_type="image/png")
    page = act(city.client("handler1"), code, "attach", {"attachments": upload})
    assert "已完成：上传附件" in shown(page) and "现场.png" in shown(page)
    assert recorded_actions(code)[-1] == "attach"


def test_appeal_page_assisting_unit_signs_for_and_replies_its_part(city):
    code = city.receive(assist_unit_codes=["WATER"]).tracking_code
    water = city.client("waterman")
    act(water, code, "sign_for")
    page = act(water, code, "reply", {"text": "已关闭阀门配合维修"})
    assert "已完成：办结答复" in shown(page)
    assert recorded_actions(code)[-2:] == ["assist_sign_for", "assist_reply"]
    assert Appeal.objects.get(tracking_code=code).status == "dispatched"


# ── the appeal page: supervision and exclusions ─────────────────────────────────────────────


def test_appeal_page_supervise_and_the_units_response(city):
    code = signed(city)
    page = act(
        city.client("supervisor"),
        code,
        "supervise",
        {"requirement": "请今日内修复并反馈", "respond_within_hours": "8"},
    )
    assert "已完成：督办" in shown(page) and "请今日内修复并反馈" in shown(page)
    order = SupervisionOrder.objects.get(appeal__tracking_code=code)
    handler = city.client("handler1")
    assert 'data-testid="respond-supervision"' in shown(handler.get(f"/appeals/{code}/"))
    empty = act(handler, code, "respond_supervision", {"order_id": order.pk, "response": ""})
    assert empty.status_code == 400 and "请填写督办反馈" in shown(empty)
    page = act(
        handler, code, "respond_supervision", {"order_id": order.pk, "response": "已安排今晚维修"}
    )
    assert "已完成：督办反馈" in shown(page) and "已反馈" in shown(page)
    assert recorded_actions(code)[-2:] == ["supervise", "respond_supervision"]


def test_appeal_page_refuses_an_answer_to_another_appeals_order(city):
    code, other = signed(city), signed(city)
    supervise(other, actor=city.actor("supervisor"), requirement="请尽快办理")
    order = SupervisionOrder.objects.get(appeal__tracking_code=other)
    page = act(
        city.client("handler1"),
        code,
        "respond_supervision",
        {"order_id": order.pk, "response": "x"},
    )
    assert page.status_code == 404 and "督办单不存在" in shown(page)
    assert SupervisionOrder.objects.get(pk=order.pk).status == "open"


@pytest.mark.parametrize("decision, status", [("approve", "已同意"), ("reject", "已驳回")])
def test_appeal_page_exclusion_request_and_decision(city, decision, status):
    code = signed(city)
    reply(code, actor=city.actor("handler1"), text="诉求人要求超出政策范围，已解释说明")
    page = act(city.client("handler1"), code, "request_exclusion", {"reason": "诉求不合理"})
    assert "已完成：申请考核剔除" in shown(page) and 'data-testid="exclusion"' in shown(page)
    page = act(city.client("supervisor"), code, "decide_exclusion", {"decision": decision})
    assert "已完成：审批考核剔除" in shown(page) and status in shown(page)
    assert recorded_actions(code)[-2:] == ["request_exclusion", "decide_exclusion"]


# ── the supervisor board ────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_board_decides_an_extension_request(city, decision):
    code = signed(city)
    request = request_extension(
        code, actor=city.actor("handler1"), extra_working_days=5, reason="需协调产权单位"
    )
    due = Appeal.objects.get(tracking_code=code).reply_due_at
    supervisor = city.client("supervisor")
    assert code in shown(supervisor.get("/board/"))
    page = supervisor.post(
        f"/board/extensions/{request.pk}/", {"decision": decision, "note": "同意"}, follow=True
    )
    verdict = "已同意" if decision == "approve" else "已驳回"
    assert f"{code} 的延期申请：{verdict}" in shown(page)
    assert recorded_actions(code)[-1] == "decide_extension"
    moved = Appeal.objects.get(tracking_code=code).reply_due_at
    assert (moved > due) if decision == "approve" else (moved == due)
    assert ExtensionRequest.objects.get(pk=request.pk).status == (
        "approved" if decision == "approve" else "rejected"
    )


def test_board_lists_weak_replies_and_overdue_appeals(city):
    weak, late = signed(city), signed(city)
    reply(weak, actor=city.actor("handler1"), text="已处理")
    due = Appeal.objects.get(tracking_code=late).reply_due_at
    with clock.frozen_at(due + timedelta(hours=1)):
        page = shown(city.client("supervisor").get("/board/"))
    weak_table = page[page.index('data-testid="weak-replies"') :]
    assert weak in weak_table[: weak_table.index("</table>")]
    overdue_table = page[page.index('data-testid="overdue"') :]
    assert late in overdue_table[: overdue_table.index("</table>")]


def test_queue_send_for_an_appeal_a_unit_holds_is_a_redispatch_with_a_reason(city):
    """A form sent after another dispatcher acted: the status makes it 改派, which needs a
    reason (transition table); without one nothing changes."""
    code = city.receive().tracking_code
    dispatcher = city.client("dispatcher")
    refused = dispatcher.post(f"/queue/{code}/dispatch/", {"unit_code": "CGW"}, follow=True)
    assert "“改派”需要填写理由" in shown(refused)
    assert Appeal.objects.get(tracking_code=code).main_unit == city.street_offices[0]
    done = dispatcher.post(
        f"/queue/{code}/dispatch/", {"unit_code": "CGW", "reason": "市管道路"}, follow=True
    )
    assert f"{code} 已派出" in shown(done)
    assert recorded_actions(code)[-1] == "redispatch"
    assert Appeal.objects.get(tracking_code=code).main_unit == city.cityops
