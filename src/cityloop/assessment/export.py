"""The monthly ranking as files a centre sends on: an Excel workbook and a PDF table."""

from __future__ import annotations

import io
from datetime import date

from django.utils.translation import gettext as _

from cityloop.appeals.enums import Outcome
from cityloop.assessment.rates import UnitScore

# the outcomes of a unit's closed appeals, each its own column (counted apart)
UNIT_OUTCOMES = (Outcome.RESOLVED, Outcome.UNRESOLVED, Outcome.REPLIED)


def _headers() -> list[object]:
    return [
        _("名次"),
        _("单位编码"),
        _("单位"),
        _("有效回访"),
        _("响应率"),
        _("解决率"),
        _("满意率"),
        _("综合得分"),
        *(_("办结：%(outcome)s") % {"outcome": o.label} for o in UNIT_OUTCOMES),
    ]


def _outcome_cells(s: UnitScore) -> list[object]:
    return [s.outcomes.get(o, 0) for o in UNIT_OUTCOMES]


def city_line(outcomes: dict[str, int]) -> str:
    """The city's closed appeals by outcome, consultations answered on the call and praise
    included (they are no unit's case)."""
    parts = "；".join(f"{label} {outcomes.get(value, 0)}" for value, label in Outcome.choices)
    return str(_("全市本月办结：%(parts)s")) % {"parts": parts}


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def _row(s: UnitScore) -> list[object]:
    return [
        s.rank,
        s.unit_code,
        s.unit_name,
        s.valid,
        s.response_rate,
        s.resolution_rate,
        s.satisfaction_rate,
        s.composite,
        *_outcome_cells(s),
    ]


def ranking_xlsx(month: date, ranking: list[UnitScore], outcomes: dict[str, int]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{month:%Y-%m}"
    sheet.append([_("%(y)s年%(m)s月三率考核排名") % {"y": month.year, "m": month.month}])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(_headers())
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for score in ranking:
        sheet.append(_row(score))
        for column in "EFG":
            sheet[f"{column}{sheet.max_row}"].number_format = "0.00%"
    sheet.append([])
    sheet.append([city_line(outcomes)])
    for column, width in zip("ABCDEFGHIJK", [6, 12, 34, 10, 9, 9, 9, 10, 12, 12, 16], strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ranking_pdf(month: date, ranking: list[UnitScore], outcomes: dict[str, int]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    # a CID font needs no font file: every PDF reader carries the Adobe-GB1 glyphs
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=f"cityloop {month:%Y-%m}")
    title = ParagraphStyle("title", fontName="STSong-Light", fontSize=15, leading=20)
    rows: list[list[object]] = [list(_headers())]
    for s in ranking:
        rows.append(
            [
                s.rank,
                s.unit_code,
                s.unit_name,
                s.valid,
                _percent(s.response_rate),
                _percent(s.resolution_rate),
                _percent(s.satisfaction_rate),
                f"{s.composite}",
                *_outcome_cells(s),
            ]
        )
    widths = [24, 44, 120, 36, 36, 36, 36, 40, 40, 44, 50]
    table = Table(rows, repeatRows=1, colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), "STSong-Light"),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#c6cfd8")),
            ]
        )
    )
    heading = _("%(y)s年%(m)s月三率考核排名") % {"y": month.year, "m": month.month}
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=9, leading=13)
    document.build([Paragraph(heading, title), table, Paragraph(city_line(outcomes), body)])
    return buffer.getvalue()
