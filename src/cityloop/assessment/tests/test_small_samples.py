"""A ranking people accept (issue 13): a unit with a handful of callbacks neither tops nor
tails the ranking. Units are ranked by the Wilson lower bound of their rates, and only from
the minimum of valid callbacks the admin sets; the others are listed apart (样本不足).

The seeded month: 建外 has 6 callbacks (5 fully good, 1 contacted but unresolved and
dissatisfied), 朝外 2 (both fully good), the water company 1 (not contacted, unresolved,
dissatisfied). By the plain composite 朝外 (100) would be first and the water company (0)
last, on 2 and 1 answers."""

from __future__ import annotations

import io
import logging
from dataclasses import replace

import pytest
from fontTools.ttLib import TTFont
from openpyxl import load_workbook

from cityloop.assessment.confidence import rate_label, wilson_lower
from cityloop.assessment.export import ranking_pdf
from cityloop.assessment.rates import Ranking, monthly_ranking
from cityloop.assessment.tests.pdf_reading import embedded_fonts, font_names, pages_text
from cityloop.evaluate.models import AssessmentSettings
from cityloop.evaluate.services import record_callback
from cityloop.handling.services import reply, sign_for
from cityloop.kernel import clock
from cityloop.testing import admin_save, rank_from

WATER = ("城乡建设", "城市建设和市政管理", "自来水供应")
GOOD = {"contacted": True, "resolved": True, "satisfaction": "satisfied"}
BAD_BUT_CONTACTED = {"contacted": True, "resolved": False, "satisfaction": "dissatisfied"}
ALL_BAD = {"contacted": False, "resolved": False, "satisfaction": "dissatisfied"}

# by hand, z = 1.96, z² = 3.8415:
#   6/6: p = 1,   lower = 1 / (1 + 3.8415/6) = 6 / 9.8415                          = 0.6097
#   5/6: p = 5/6, centre = 0.8333 + 3.8415/12 = 1.1535
#        margin = 1.96 × √(0.8333 × 0.1667 / 6 + 3.8415/144) = 1.96 × √0.049825 = 0.4375
#        lower = (1.1535 − 0.4375) / (1 + 3.8415/6) = 0.7160 / 1.6402               = 0.4365
#   ranking score = 100 × (0.2 × 0.6097 + 0.4 × 0.4365 + 0.4 × 0.4365)            = 47.11
#   2/2: lower = 2 / 5.8415 = 0.3424, ranking score 34.24;  0/1: 0
JIANWAI_LOWER = {"response_lower": 0.6097, "resolution_lower": 0.4365, "satisfaction_lower": 0.4365}


def rated(city, answers, *, street: int | None = None) -> None:
    """An appeal replied by a street office (`street`) or the water company, rated now."""
    if street is None:
        appeal = city.receive(street=0, category=WATER)
        sign_for(appeal.tracking_code, actor=city.actor("waterman"))
        reply(appeal.tracking_code, actor=city.actor("waterman"), text="已恢复供水")
    else:
        appeal = city.replied(street=street)
    record_callback(appeal.tracking_code, actor=city.actor("calltaker"), **answers)


def seed_month(city) -> None:
    for _ in range(5):
        rated(city, GOOD, street=0)
    rated(city, BAD_BUT_CONTACTED, street=0)
    rated(city, GOOD, street=1)
    rated(city, GOOD, street=1)
    rated(city, ALL_BAD)


def set_minimum_in_the_admin(city, minimum: int) -> None:
    settings = AssessmentSettings.current()
    url = f"/admin/evaluate/assessmentsettings/{settings.pk}/change/"
    admin_save(city.admin_client(), url, min_callbacks=minimum)


def test_the_wilson_lower_bound_is_the_hand_computed_value():
    # the worked example of docs/decisions/0007: 120 of 130 and 4 of 4
    assert wilson_lower(120, 130) == pytest.approx(0.8642, abs=1e-4)
    assert wilson_lower(4, 4) == pytest.approx(0.5101, abs=1e-4)
    assert wilson_lower(5, 6) == pytest.approx(0.4365, abs=1e-4)
    assert wilson_lower(0, 10) == 0.0
    assert wilson_lower(30, 30) < wilson_lower(300, 300) < 1.0, "more answers, surer"
    assert rate_label(120, 130) == "92.3 %（120/130）"
    assert rate_label(118.4, 130) == "91.1 %（118.4/130）"
    assert rate_label(0, 0) == "—"
    with pytest.raises(ValueError):
        wilson_lower(3, 2)


def test_the_api_ranks_the_proven_unit_and_lists_the_small_ones_apart(city):
    seed_month(city)
    set_minimum_in_the_admin(city, 5)
    month = f"{clock.this_month():%Y-%m}"
    rows = city.client("analyst").get(f"/api/assessment?month={month}").json()

    by_composite = max(rows, key=lambda row: row["composite"])
    assert by_composite["unit_name"] == "朝外街道办事处", "the old order: 2 answers on top"

    assert [(r["unit_name"], r["ranked"], r["rank"], r["valid"]) for r in rows] == [
        ("建外街道办事处", True, 1, 6),
        ("朝外街道办事处", False, 0, 2),
        ("北京市自来水集团", False, 0, 1),
    ]
    jianwai = rows[0]
    assert {key: jianwai[key] for key in JIANWAI_LOWER} == JIANWAI_LOWER
    assert jianwai["ranking_score"] == 47.11
    # the old fields keep their meaning: the plain rates and composite
    assert (jianwai["response_rate"], jianwai["resolution_rate"]) == (1.0, 0.8333)
    assert jianwai["composite"] == 86.67
    assert (jianwai["response_label"], jianwai["resolution_label"]) == (
        "100.0 %（6/6）",
        "83.3 %（5/6）",
    )
    assert jianwai["satisfaction_label"] == "83.3 %（5/6）"

    # with every unit ranked (minimum 1), the lower bound alone still puts 6 answers first
    rank_from(1)
    rows = city.client("analyst").get(f"/api/assessment?month={month}").json()
    assert [(r["unit_name"], r["rank"], r["ranking_score"]) for r in rows] == [
        ("建外街道办事处", 1, 47.11),
        ("朝外街道办事处", 2, 34.24),
        ("北京市自来水集团", 3, 0.0),
    ]


def test_the_page_and_the_home_page_show_the_small_units_apart(city):
    seed_month(city)
    set_minimum_in_the_admin(city, 5)
    analyst = city.client("analyst")
    html = analyst.get("/assessment/").content.decode()
    ranked = html.split('data-testid="ranking"')[1].split("</table>")[0]
    apart = html.split('data-testid="apart"')[1].split("</table>")[0]
    assert "建外街道办事处" in ranked and "朝外街道办事处" not in ranked
    assert "100.0 %（6/6）" in ranked and "83.3 %（5/6）" in ranked and "47.11" in ranked
    assert apart.index("朝外街道办事处") < apart.index("北京市自来水集团"), "most answers first"
    assert "100.0 %（2/2）" in apart and "0.0 %（0/1）" in apart
    assert "少于 5 件" in html

    home = analyst.get("/").content.decode().split('data-testid="ranking"')[1]
    assert "建外街道办事处" in home and "朝外街道办事处" not in home.split("</table>")[0]
    assert "另有 2 个单位样本不足" in home

    analyst.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = analyst.get("/assessment/").content.decode()
    assert "Too few callbacks" in english and "fewer than 5" in english

    analyst.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    book = load_workbook(io.BytesIO(analyst.get("/assessment/?format=xlsx").content))
    ranked_sheet, apart_sheet = book.worksheets
    assert [row[2] for row in ranked_sheet.iter_rows(min_row=6, values_only=True)] == [
        "建外街道办事处"
    ]
    assert [row[2:5] for row in apart_sheet.iter_rows(min_row=3, values_only=True)] == [
        ("朝外街道办事处", 2, 2),
        ("北京市自来水集团", 1, 0),
    ]


def test_the_drill_down_is_titled_with_the_unit_name(city):
    seed_month(city)
    analyst = city.client("analyst")
    office = city.street_offices[0].code
    page = analyst.get(f"/assessment/appeals/?unit={office}&measure=unresolved")
    heading = page.content.decode().split("<h1>")[1].split("</h1>")[0]
    assert "建外街道办事处" in heading and "未解决" in heading
    unknown = analyst.get("/assessment/appeals/?unit=NO-SUCH-UNIT")
    assert unknown.status_code == 404 and "NO-SUCH-UNIT" in unknown.content.decode()


def test_the_pdf_embeds_its_chinese_font_and_numbers_its_pages(city):
    seed_month(city)
    set_minimum_in_the_admin(city, 5)
    settings = AssessmentSettings.current()
    admin_save(
        city.admin_client(),
        f"/admin/evaluate/assessmentsettings/{settings.pk}/change/",
        issuing_body="朝阳区12345热线分中心",
    )
    pdf = city.client("analyst").get("/assessment/?format=pdf").content

    fonts = embedded_fonts(pdf)
    [(name, program)] = [(n, p) for n, p in fonts.items() if "NotoSansCJK" in n]
    font = TTFont(io.BytesIO(program))
    glyf = font["glyf"]
    outlined = [n for n in glyf.glyphOrder if glyf[n].numberOfContours > 0]
    assert len(outlined) > 20, f"{name}: the characters' outlines are in the file"

    [page] = pages_text(pdf)
    assert "第 1 页 / 共 1 页" in page
    assert "朝阳区12345热线分中心" in page and clock.today().isoformat() in page
    assert "100.0 %（6/6）" in page
    apart = page.index("样本不足（有效回访少于 5 件")
    assert page.index("建外街道办事处") < apart < page.index("朝外街道办事处")

    # a long ranking runs over pages, each numbered out of the total; its own characters
    # are in its own font, not taken for the first document's
    one = monthly_ranking(clock.this_month()).ranked[0]
    long = Ranking(
        month=clock.this_month(),
        minimum=5,
        ranked=[
            replace(one, unit_code=f"U{i:03}", unit_name="密云区穆家峪镇人民政府", rank=i)
            for i in range(1, 121)
        ],
        apart=[],
    )
    pages = pages_text(ranking_pdf(long, {}))
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"第 {number} 页 / 共 {len(pages)} 页" in text
        assert "密云区穆家峪镇人民政府" in text


def test_without_the_font_the_pdf_falls_back_to_a_named_font_and_says_so(city, settings, caplog):
    seed_month(city)
    settings.CITYLOOP_PDF_FONT = "/nonexistent/NotoSansCJK-Regular.ttc"
    with caplog.at_level(logging.WARNING, logger="cityloop.assessment.pdf_font"):
        answer = city.client("analyst").get("/assessment/?format=pdf")
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    assert embedded_fonts(answer.content) == {}
    assert "STSong-Light" in font_names(answer.content)
    assert "cannot be embedded" in caplog.text and "STSong-Light" in caplog.text
