"""The appeal page shows the step that moves the case on, and folds the others under
"更多操作"; only steps the status allows, and only forms with something to act on."""

from __future__ import annotations

import re

from cityloop.handling.services import sign_for
from cityloop.oversight.services import request_extension


def _groups(city, username: str, code: str) -> tuple[list[str], list[str], str]:
    """(the open actions, the folded actions, the folded block's opening tag)."""
    page = city.client(username).get(f"/appeals/{code}/").content.decode()
    return _split(page, code)


def _split(page: str, code: str) -> tuple[list[str], list[str], str]:
    actions = page.split('data-testid="actions"')[1].split("</section>")[0]
    shown, _sep, folded = actions.partition("<details")
    pattern = rf'action="/appeals/{code}/(\w+)/"'
    tag = "<details" + folded.split(">")[0] + ">" if folded else ""
    return re.findall(pattern, shown), re.findall(pattern, folded), tag


def test_a_unit_sees_sign_for_first_then_reply(city):
    code = city.receive().tracking_code
    assert _groups(city, "handler1", code)[:2] == (["sign_for"], ["send_back", "attach"])
    sign_for(code, actor=city.actor("handler1"))
    primary, folded, tag = _groups(city, "handler1", code)
    assert primary == ["reply"]
    assert folded == ["record_contact", "request_extension", "defer", "send_back", "attach"]
    assert tag and " open" not in tag


def test_a_supervisor_sees_supervision_first(city):
    code = city.receive().tracking_code
    assert _groups(city, "supervisor", code)[:2] == (["supervise"], ["attach"])


def test_a_role_with_no_main_step_here_has_everything_folded(city):
    code = city.receive().tracking_code
    assert _groups(city, "dispatcher", code)[:2] == ([], ["attach"])


def test_an_extension_already_asked_for_is_not_offered_again(city):
    code = city.receive().tracking_code
    sign_for(code, actor=city.actor("handler1"))
    request_extension(
        code, actor=city.actor("handler1"), extra_working_days=3, reason="需协调园林部门"
    )
    primary, folded, _tag = _groups(city, "handler1", code)
    assert primary == ["reply"] and "request_extension" not in folded


def test_a_replied_appeal_offers_the_unit_no_handling_step(city):
    appeal = city.replied(text="已更换路灯，经现场核实恢复照明")
    primary, folded, _tag = _groups(city, "handler1", appeal.tracking_code)
    assert primary == [] and folded == ["request_exclusion", "attach"]


def test_a_refused_folded_step_is_shown_unfolded_with_its_message(city):
    code = city.receive().tracking_code
    sign_for(code, actor=city.actor("handler1"))
    refused = city.client("handler1").post(f"/appeals/{code}/send_back/", {"reason": ""})
    assert refused.status_code == 400
    primary, folded, tag = _split(refused.content.decode(), code)
    assert primary == ["reply"] and "send_back" in folded
    assert " open" in tag and 'data-testid="action-error"' in refused.content.decode()
