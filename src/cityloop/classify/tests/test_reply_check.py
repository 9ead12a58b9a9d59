"""The reply check flags non-answers with reasons and lets specific replies through."""

from __future__ import annotations

from cityloop.classify.reply_check import check_reply

APPEAL = "光华路12号院3号楼楼下的路灯已经坏了一个星期，晚上出行很不安全，请尽快维修。"
GOOD = (
    "您好！经核实，光华路12号院3号楼楼下路灯因线路老化损坏。我单位已于11月20日安排维修人员"
    "更换线路和灯具，路灯已恢复照明。根据《北京市城市照明管理规定》，我单位将加强巡查，"
    "如仍有问题可拨打66001234联系。感谢您对我们工作的支持！"
)


def test_a_specific_reply_passes():
    result = check_reply(APPEAL, GOOD)
    assert result.ok, result.reasons
    assert result.relevance > 0.5 and result.action == 1.0
    assert result.reasons == []


def test_boilerplate_is_flagged():
    result = check_reply(
        APPEAL,
        "网友：您好！您的留言已收悉！我们已将您反映的问题转相关部门进行处理，敬请关注后续回复，谢谢！",
    )
    assert not result.ok
    assert "疑似模板化答复，缺少针对性" in result.reasons
    assert "答复过短" in result.reasons


def test_a_reply_about_something_else_is_flagged_for_relevance():
    other = (
        "经核实，您反映的幼儿园收费问题，区教委已于3月5日约谈该园负责人，责令退还多收费用。"
        "根据《幼儿园收费管理办法》，下一步将加强检查。"
    )
    result = check_reply(APPEAL, other)
    assert "答复与诉求内容关联度低" in result.reasons
    assert not result.ok


def test_missing_action_and_next_step_are_named():
    result = check_reply(
        APPEAL,
        "关于光华路12号院3号楼楼下路灯的问题，路灯属于市政设施，情况比较复杂，请您耐心等待。",
    )
    assert "未说明办理措施或结果" in result.reasons
    assert "未给出依据或下一步安排" in result.reasons


def test_empty_reply():
    result = check_reply(APPEAL, "")
    assert not result.ok and result.score < 0.2
    assert "答复过短" in result.reasons
