"""The monthly ranking as files a centre sends on: an Excel workbook and a PDF table.

Both carry what the page shows: each rate with its count, the composite and the ranking
score the units are ordered by, the units with too few callbacks apart (样本不足), the
issuing body and the date of issue, and how the month's appeals ended (each outcome counted
apart, the city's line below the table). The PDF embeds its Chinese font (assessment.pdf_font)
and numbers its pages "第 n 页 / 共 m 页"."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _

from cityloop.appeals.enums import Outcome
from cityloop.assessment.pdf_font import chinese_font
from cityloop.assessment.rates import Ranking, UnitScore
from cityloop.evaluate.models import AssessmentSettings
from cityloop.kernel import clock

# the outcomes of a unit's closed appeals, each its own column (counted apart)
UNIT_OUTCOMES = (Outcome.RESOLVED, Outcome.UNRESOLVED, Outcome.REPLIED)


def city_line(outcomes: dict[str, int]) -> str:
    """The city's closed appeals by outcome, consultations answered on the call and praise
    included (they are no unit's case)."""
    parts = "；".join(f"{label} {outcomes.get(value, 0)}" for value, label in Outcome.choices)
    return str(_("全市本月办结：%(parts)s")) % {"parts": parts}


def _outcome_cells(s: UnitScore) -> list[int]:
    return [s.outcomes.get(o, 0) for o in UNIT_OUTCOMES]


def _title(ranking: Ranking) -> str:
    return _("%(y)s年%(m)s月三率考核排名") % {"y": ranking.month.year, "m": ranking.month.month}


def _issued() -> str:
    return _("发布单位：%(body)s　生成日期：%(day)s") % {
        "body": AssessmentSettings.current().issuing_body,
        "day": clock.today().isoformat(),
    }


def _method(ranking: Ranking) -> str:
    return _(
        "排名得分 = 100 × Σ 权重 × 各率的 95%% 置信下限（Wilson）；"
        "当月有效回访少于 %(n)s 件的单位列入“样本不足”，不参与排名。"
    ) % {"n": ranking.minimum}


def _apart_heading(ranking: Ranking) -> str:
    return _("样本不足（有效回访少于 %(n)s 件，不参与排名）") % {"n": ranking.minimum}


# ── Excel ───────────────────────────────────────────────────────────────────────────────
def _xlsx_headers() -> list[object]:
    return [
        _("名次"),
        _("单位编码"),
        _("单位"),
        _("有效回访"),
        _("已联系"),
        _("响应率"),
        _("已解决"),
        _("解决率"),
        _("满意计分"),
        _("满意率"),
        _("综合得分"),
        _("排名得分"),
        *(_("办结：%(outcome)s") % {"outcome": o.label} for o in UNIT_OUTCOMES),
    ]


def _xlsx_row(s: UnitScore) -> list[object]:
    return [
        s.rank if s.ranked else None,
        s.unit_code,
        s.unit_name,
        s.valid,
        s.contacted,
        s.response_rate,
        s.resolved,
        s.resolution_rate,
        s.satisfied_points,
        s.satisfaction_rate,
        s.composite,
        s.ranking_score,
        *_outcome_cells(s),
    ]


def _fill_sheet(sheet: Any, title: str, notes: list[str], scores: list[UnitScore]) -> None:
    """Title and notes, then the header on row 2 + len(notes) and one row per unit."""
    from openpyxl.styles import Font

    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    for note in notes:
        sheet.append([note])
    sheet.append(_xlsx_headers())
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = f"A{sheet.max_row + 1}"
    for score in scores:
        sheet.append(_xlsx_row(score))
        for column in "FHJ":
            sheet[f"{column}{sheet.max_row}"].number_format = "0.0%"
    widths = [6, 14, 30, 9, 8, 8, 8, 8, 9, 8, 9, 9, 12, 12, 14]
    for column, width in zip("ABCDEFGHIJKLMNO", widths, strict=True):
        sheet.column_dimensions[column].width = width


def ranking_xlsx(ranking: Ranking, outcomes: dict[str, int]) -> bytes:
    """Two sheets: the ranked units, and the units apart (样本不足)."""
    from openpyxl import Workbook

    book = Workbook()
    ranked = book.active
    assert ranked is not None
    ranked.title = f"{ranking.month:%Y-%m}"
    notes = [_issued(), _method(ranking), city_line(outcomes)]
    _fill_sheet(ranked, _title(ranking), notes, ranking.ranked)
    _fill_sheet(book.create_sheet(_("样本不足")), _apart_heading(ranking), [], ranking.apart)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ── PDF ─────────────────────────────────────────────────────────────────────────────────
def _pdf_headers() -> list[str]:
    return [
        _("名次"),
        _("单位编码"),
        _("单位"),
        _("有效回访"),
        _("响应率"),
        _("解决率"),
        _("满意率"),
        _("综合得分"),
        _("排名得分"),
    ]


def _pdf_rows(scores: list[UnitScore]) -> list[list[str]]:
    return [
        [
            str(s.rank) if s.ranked else "—",
            s.unit_code,
            s.unit_name,
            str(s.valid),
            s.response_label,
            s.resolution_label,
            s.satisfaction_label,
            f"{s.composite:.2f}",
            f"{s.ranking_score:.2f}",
        ]
        for s in scores
    ]


def page_label(page: int, pages: int) -> str:
    return _("第 %(page)s 页 / 共 %(pages)s 页") % {"page": page, "pages": pages}


def ranking_pdf(ranking: Ranking, outcomes: dict[str, int]) -> bytes:
    """A4 landscape: title, issuing body and date, the ranking, the units apart; every page
    footed with the issuing body, the date and "第 n 页 / 共 m 页"."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    ranked, apart = _pdf_rows(ranking.ranked), _pdf_rows(ranking.apart)
    texts = [_title(ranking), _issued(), _method(ranking), _apart_heading(ranking)]
    texts.append(city_line(outcomes))
    texts += [*_pdf_headers(), page_label(0, 0), _("没有")]
    texts += [cell for row in ranked + apart for cell in row]
    font = chinese_font("".join(texts)).name

    title = ParagraphStyle("title", fontName=font, fontSize=15, leading=20)
    heading = ParagraphStyle("heading", fontName=font, fontSize=11, leading=16, spaceBefore=8)
    note = ParagraphStyle("note", fontName=font, fontSize=8, leading=11)
    story: list[Any] = [
        Paragraph(_title(ranking), title),
        Paragraph(_issued(), note),
        Paragraph(_method(ranking), note),
        Spacer(1, 3 * mm),
        _table(ranked, font),
        Paragraph(_apart_heading(ranking), heading),
        _table(apart, font),
        Spacer(1, 3 * mm),
        Paragraph(city_line(outcomes), note),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        title=_title(ranking),
        author=AssessmentSettings.current().issuing_body,
        bottomMargin=18 * mm,
    )
    document.build(story, canvasmaker=_numbered_canvas(font, _issued()))
    return buffer.getvalue()


def _table(rows: list[list[str]], font: str) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    body = rows or [[_("没有")] + [""] * 8]
    table = Table(
        [_pdf_headers(), *body],
        repeatRows=1,
        colWidths=[30, 70, 170, 45, 85, 85, 85, 50, 50],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#c6cfd8")),
                ("ALIGN", (3, 1), (-1, -1), "RIGHT"),
            ]
        )
    )
    return table


def _numbered_canvas(font: str, issued: str) -> Any:
    """A canvas class that holds its pages back until the end, then foots each with
    "第 n 页 / 共 m 页": the total is known only when the last page is laid out."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            pages = len(self._held)
            for number, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                width = self._pagesize[0]
                self.setFont(font, 8)
                self.drawString(15 * mm, 10 * mm, issued)
                self.drawRightString(width - 15 * mm, 10 * mm, page_label(number, pages))
                super().showPage()
            super().save()

    return NumberedCanvas
