"""The thin pages, requested the way a browser does."""

from __future__ import annotations

from cityloop.appeals.enums import Status
from cityloop.appeals.models import Appeal


def replied_with_personal_data(city):
    """A replied appeal whose caller gave a name and a phone number, in the text too."""
    return city.replied(
        title="楼道灯坏了",
        content="我是张三，电话13812345678，3号楼2单元楼道灯坏了",
        caller_name="张三丰",
        caller_phone="13812345678",
        text="已更换灯具",
    )


def test_tracking_lookup_shows_masked_public_timeline(city, client):
    appeal = replied_with_personal_data(city)
    page = client.get("/track/", {"code": appeal.tracking_code.lower()}, follow=True)
    html = page.content.decode()
    assert page.status_code == 200
    assert "已办结" in html and "已更换灯具" in html
    assert "建外街道办事处" in html
    assert "张三丰" not in html and "张**" in html
    # every digit of a phone is hidden: its last four prove the citizen's evaluation
    assert "13812345678" not in html and "5678" not in html and "电话***********" in html
    assert "光华路*号院*号楼" in html and "3号楼" not in html
    assert "handler1" not in html, "staff names stay inside"


def test_unknown_tracking_code_says_so(city, client):
    page = client.get("/track/NOPE123/")
    assert page.status_code == 404
    assert "NOPE123 对应的诉求不存在" in page.content.decode()


def test_citizen_evaluates_on_the_tracking_page(city, client):
    appeal = replied_with_personal_data(city)
    url = f"/track/{appeal.tracking_code}/"
    wrong = client.post(
        url,
        {
            "phone_last4": "1111",
            "contacted": "yes",
            "resolved": "yes",
            "satisfaction": "satisfied",
            "comment": "谢谢",
        },
    )
    assert wrong.status_code == 400
    html = wrong.content.decode()
    assert "手机号后四位与诉求登记的不一致" in html
    assert "谢谢" in html, "what the citizen typed is kept"
    assert Appeal.objects.get(pk=appeal.pk).status == Status.REPLIED

    done = client.post(
        url,
        {
            "phone_last4": "5678",
            "contacted": "yes",
            "resolved": "no",
            "satisfaction": "dissatisfied",
            "comment": "灯还是不亮",
        },
    )
    assert done.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Status.DISPATCHED and appeal.reopen_count == 1
    assert "重新办理" in client.get(url).content.decode()


def test_staff_timeline_page_and_scope(city):
    appeal = replied_with_personal_data(city)
    page = city.client("handler1").get(f"/appeals/{appeal.tracking_code}/")
    html = page.content.decode()
    assert page.status_code == 200
    for text in ["受理", "派单", "签收", "办结答复", "handler1（建外街道办事处）", "13812345678"]:
        assert text in html
    assert city.client("handler2").get(f"/appeals/{appeal.tracking_code}/").status_code == 403


def test_pages_need_login_and_are_chinese_unless_english_is_chosen(city, client):
    assert client.get("/assessment/").status_code == 302
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en")
    assert home.status_code == 200 and "今日受理" in home.content.decode(), "not the browser's"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get("/").content.decode()


def test_assessment_page_ranks_units(city):
    from cityloop.evaluate.services import record_callback

    appeal = replied_with_personal_data(city)
    record_callback(
        appeal.tracking_code,
        actor=city.actor("calltaker"),
        contacted=True,
        resolved=True,
        satisfaction="basically_satisfied",
    )
    html = city.client("analyst").get("/assessment/").content.decode()
    apart = html.split('data-testid="apart"')[1].split("</table>")[0]
    assert "建外街道办事处" in apart and "80.0 %（0.8/1）" in apart, "1 callback: not ranked"
    bad = city.client("analyst").get("/assessment/", {"month": "2026-13"})
    assert bad.status_code == 400 and "YYYY-MM" in bad.content.decode()


def test_openapi_docs_are_served_offline(city, client):
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert "cdn" not in docs.content.decode().lower()
    schema = client.get("/api/openapi.json").json()
    assert "/api/appeals/{code}/sign-for" in schema["paths"]
