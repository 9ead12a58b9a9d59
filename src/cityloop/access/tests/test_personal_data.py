"""个人信息保护: personal data written anywhere in an appeal (title, content, contact notes,
replies, callback comments) never reaches a public or analyst surface, fetched over HTTP;
the facts of the case stay readable; staff who handle the case still see what they need;
phone numbers stay out of URLs."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cityloop.access.tests.pii_corpus import CORPUS, KEPT, KEPT_SENTENCE
from cityloop.kernel import clock
from cityloop.testing import post_json

CALLER_NAME = "林晓峰"
CALLER_PHONE = "13700001111"
CALLER_ID = "110105198801011234"
ADDRESS = "光华路1号院3号楼2单元301室"
FIELD_SECRETS = [CALLER_NAME, CALLER_PHONE, CALLER_ID, "3号楼2单元301室"]


def text_of(response: Any) -> str:
    """What a reader of the response sees: JSON decoded (no \\u escapes), HTML as is, the
    cells of an Excel workbook."""
    assert response.status_code == 200, (response.status_code, response.content[:300])
    kind = response.get("Content-Type", "")
    if "json" in kind:
        return json.dumps(response.json(), ensure_ascii=False)
    if "spreadsheet" in kind:
        with zipfile.ZipFile(io.BytesIO(response.content)) as book:
            return "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xml"))
    return response.content.decode()


def carry_through_the_loop(city: Any, sentence: str) -> str:
    """One appeal whose title, content, contact note, reply and callback comment all carry
    the sentence, walked to an evaluation over the API."""
    calltaker, handler = city.client("calltaker"), city.client("handler1")
    created = post_json(
        calltaker,
        "/api/appeals",
        {
            "title": f"路灯不亮 {sentence}"[:60],
            "content": f"{CALLER_NAME}反映：{sentence}。{KEPT_SENTENCE}",
            "caller_name": CALLER_NAME,
            "caller_phone": CALLER_PHONE,
            "caller_id_number": CALLER_ID,
            "address_text": ADDRESS,
            "standard_address_code": city.addresses[0].code,
            "category_code": city.category("城乡建设", "城市建设和市政管理", "城市公共设施").code,
        },
    )
    assert created.status_code == 201, created.content
    code = created.json()["tracking_code"]
    assert post_json(handler, f"/api/appeals/{code}/sign-for").status_code == 200
    assert post_json(handler, f"/api/appeals/{code}/contact", {"note": sentence}).status_code == 200
    reply = post_json(handler, f"/api/appeals/{code}/reply", {"text": f"已处理完毕。{sentence}"})
    assert reply.status_code == 200, reply.content
    callback = post_json(
        city.client("supervisor"),
        f"/api/appeals/{code}/callback",
        {"contacted": True, "resolved": True, "satisfaction": "satisfied", "comment": sentence},
    )
    assert callback.status_code == 201, callback.content
    return code


@pytest.fixture
def loop(city: Any) -> dict[str, Any]:
    codes = [carry_through_the_loop(city, sentence) for sentence, _ in CORPUS]
    return {"city": city, "codes": codes}


def surfaces(city: Any, codes: list[str]) -> dict[str, Any]:
    """Every public and analyst output, fetched the way its reader does."""
    anonymous, analyst = Client(), city.client("analyst")
    month = timezone.localtime(clock.now()).strftime("%Y-%m")
    unit = city.street_offices[0].code
    fetched = {
        "home (anonymous)": anonymous.get("/"),
        "home (analyst)": analyst.get("/"),
        "drill-down": analyst.get(f"/assessment/appeals/?unit={unit}&month={month}"),
        "assessment": analyst.get(f"/assessment/?month={month}"),
        "assessment xlsx": analyst.get(f"/assessment/?month={month}&format=xlsx"),
        "dashboard": analyst.get("/dashboard/"),
        "dashboard data": analyst.get("/dashboard/data.json"),
        "analyst API list": analyst.get("/api/appeals?limit=200"),
        "analyst flagged replies": analyst.get("/api/replies/flagged?limit=200"),
        "assessment API": analyst.get(f"/api/assessment?month={month}"),
    }
    for code in codes:
        fetched[f"tracking page {code}"] = anonymous.get(f"/track/{code}/")
        fetched[f"public API {code}"] = anonymous.get(f"/api/public/track/{code}")
        fetched[f"analyst page {code}"] = analyst.get(f"/appeals/{code}/")
        fetched[f"analyst API {code}"] = analyst.get(f"/api/appeals/{code}")
        fetched[f"analyst timeline {code}"] = analyst.get(f"/api/appeals/{code}/timeline")
    return {name: text_of(response) for name, response in fetched.items()}


def test_no_personal_data_on_any_public_or_analyst_surface(loop):
    city, codes = loop["city"], loop["codes"]
    assert len(CORPUS) >= 60
    secrets = FIELD_SECRETS + [s for _, found in CORPUS for s in found]
    pages = surfaces(city, codes)
    leaks = [(name, s) for name, body in pages.items() for s in secrets if s in body]
    assert leaks == []
    # the pages did show the cases: the drill-down lists every callback, the tracking page
    # the reply, and the facts of each case are still readable
    assert all(code in pages["drill-down"] for code in codes)
    for code in codes:
        page = pages[f"tracking page {code}"]
        assert "已处理完毕" in page and code in page
        assert "建外街道办事处" in page and "城市公共设施" in page
        assert all(fact in page for fact in KEPT), page
        assert "林**" in page  # the caller as a surname only
        assert all(fact in pages[f"analyst page {code}"] for fact in KEPT)


def test_staff_handling_the_case_still_see_the_caller(city):
    code = carry_through_the_loop(city, "我叫张伟，电话138 1234 5601")
    for username in ("handler1", "calltaker", "supervisor"):
        detail = city.client(username).get(f"/api/appeals/{code}").json()
        assert detail["caller_phone"] == CALLER_PHONE and detail["caller_name"] == CALLER_NAME
        assert "我叫张伟，电话138 1234 5601" in detail["content"]
    page = city.client("handler1").get(f"/appeals/{code}/").content.decode()
    assert CALLER_PHONE in page and "我叫张伟" in page


def test_phone_lookups_keep_the_number_out_of_the_url(city):
    code = carry_through_the_loop(city, "路灯坏了")
    other = city.receive(caller_phone="13900009999").tracking_code
    calltaker = city.client("calltaker")

    # the console's caller history: the number travels in the POST body
    page = calltaker.get("/console/").content.decode()
    assert 'hx-post="/console/caller/"' in page
    history = calltaker.post("/console/caller/", {"caller_phone": CALLER_PHONE})
    assert history.status_code == 200 and code in history.content.decode()
    assert other not in history.content.decode()
    assert calltaker.get("/console/caller/", {"caller_phone": CALLER_PHONE}).status_code == 405

    # the API: in the body, or in a header for the list
    found = post_json(calltaker, "/api/callers/appeals", {"phone": CALLER_PHONE}).json()
    assert [h["tracking_code"] for h in found] == [code]
    assert calltaker.get(f"/api/callers/{CALLER_PHONE}/appeals").status_code == 404
    listed = calltaker.get("/api/appeals", headers={"X-Caller-Phone": CALLER_PHONE}).json()
    assert [a["tracking_code"] for a in listed] == [code]
    in_url = calltaker.get("/api/appeals", {"phone": CALLER_PHONE})
    assert in_url.status_code == 400 and "X-Caller-Phone" in in_url.json()["message"]

    # looking a person up by phone is not an analyst's work
    analyst = city.client("analyst")
    refused = post_json(analyst, "/api/callers/appeals", {"phone": CALLER_PHONE})
    assert refused.status_code == 403 and "来电号码" in refused.json()["message"]
    refused = analyst.get("/api/appeals", headers={"X-Caller-Phone": CALLER_PHONE})
    assert refused.status_code == 403


def test_citizen_evaluation_comment_is_masked_on_the_drill_down(city):
    """The citizen's own comment (public evaluation form) is shown to analysts masked."""
    appeal = city.receive(caller_name="钱多多", caller_phone="13600001234")
    handler = city.client("handler1")
    post_json(handler, f"/api/appeals/{appeal.tracking_code}/sign-for")
    post_json(handler, f"/api/appeals/{appeal.tracking_code}/reply", {"text": "已修复"})
    rated = Client().post(
        f"/track/{appeal.tracking_code}/",
        {
            "phone_last4": "1234",
            "contacted": "yes",
            "resolved": "yes",
            "satisfaction": "satisfied",
            "comment": "钱多多很满意，王师傅修得好，有事打010-64561234",
        },
    )
    assert rated.status_code in (200, 302)
    month = timezone.localtime(clock.now()).strftime("%Y-%m")
    unit = city.street_offices[0].code
    page = text_of(city.client("analyst").get(f"/assessment/appeals/?unit={unit}&month={month}"))
    assert appeal.tracking_code in page and "很满意" in page
    for secret in ("钱多多", "王师傅", "64561234"):
        assert secret not in page
