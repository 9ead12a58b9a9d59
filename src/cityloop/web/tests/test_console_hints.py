"""What the call-taker sees while typing: the suggested categories with how far to trust
them (no model names), the nearby appeals still open (finished ones on request), and after
the submit a link to the appeal just received."""

from __future__ import annotations

import re
from decimal import Decimal

from cityloop.classify.models import UnderstandingSettings
from cityloop.intake.tests.test_understanding import train_small_model

HEATING_TEXT = "家里暖气不热，室温只有十四度"


def _understand(city, **fields: str) -> str:
    response = city.client("calltaker").post("/console/understand/", fields)
    assert response.status_code == 200
    return response.content.decode()


def _levels(page: str) -> list[tuple[str, str]]:
    """(level, the words shown) of each suggested category."""
    found = re.findall(
        r'<li data-level="(\w+)">.*?data-testid="confidence">(.*?)</span>', page, re.S
    )
    return [(level, re.sub(r"<[^>]+>", "", text).strip()) for level, text in found]


def test_suggestions_show_how_sure_not_which_model(city):
    record = train_small_model().record
    page = _understand(city, content=HEATING_TEXT)
    levels = _levels(page)
    assert len(levels) == 3, "the top three categories"
    assert record.name not in page and "模型" not in page
    top_level, top_words = levels[0]
    percent = int(re.search(r"(\d+)%", top_words).group(1))
    assert top_level == "high" and top_words == f"把握高 {percent}%" and percent >= 80
    assert "冬季采暖" in page.split('data-testid="confidence"')[0]
    assert [lvl for lvl, _words in levels[1:]] == ["low", "low"]


def test_the_level_follows_the_auto_dispatch_threshold(city):
    train_small_model()
    settings = UnderstandingSettings.current()
    # the small model is sure of the heating text, less so of a vague one
    assert _levels(_understand(city, content=HEATING_TEXT))[0][0] == "high"
    settings.auto_dispatch_confidence = Decimal("0.99")
    settings.save()
    level, words = _levels(_understand(city, content="小区的问题"))[0]
    assert level == "medium" and words.startswith("把握中 ")


def test_english_names_the_levels_too(city):
    train_small_model()
    client = city.client("calltaker")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.post("/console/understand/", {"content": HEATING_TEXT}).content.decode()
    assert _levels(page)[0][1].startswith("High confidence ")


def test_nearby_duplicates_leave_out_finished_appeals_unless_asked(city):
    finished = city.replied(content="光华路1号院3号楼门口路灯不亮", text="已更换灯泡恢复照明")
    still_open = city.receive(content="光华路1号院3号楼门口的路灯坏了")
    text = {"content": "北京市朝阳区建外街道光华路1号院3号楼路灯不亮了"}
    page = _understand(city, **text)
    shown = page.split('data-testid="duplicates"')[1]
    assert still_open.tracking_code in shown and finished.tracking_code not in shown
    assert "附近可能重复的在办工单" in page
    asked = _understand(city, **text, include_closed="1")
    shown = asked.split('data-testid="duplicates"')[1]
    assert still_open.tracking_code in shown and finished.tracking_code in shown
    assert "含已办结" in asked and "已办结 ·" in shown


def test_the_console_offers_the_include_finished_switch(city):
    page = city.client("calltaker").get("/console/").content.decode()
    assert 'name="include_closed"' in page and "change from:#id_include_closed" in page


def test_the_received_code_links_to_the_appeal(city):
    page = city.client("calltaker").post(
        "/console/",
        {
            "caller_phone": "13900139000",
            "content": "光华路1号院门口路灯不亮",
            "standard_address_code": city.addresses[0].code,
            "category_code": city.category("城乡建设", "城市建设和市政管理", "城市公共设施").code,
        },
        follow=True,
    )
    pattern = r'<a href="(/appeals/\w+/)" data-testid="received-code">(\w+)</a>'
    link = re.search(pattern, page.content.decode())
    assert link is not None
    opened = city.client("calltaker").get(link.group(1))
    assert opened.status_code == 200 and link.group(2) in opened.content.decode()
