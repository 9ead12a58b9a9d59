"""The monthly ranking as files a centre sends on: an Excel workbook and a PDF table."""

from __future__ import annotations

import io
from datetime import date

from django.utils.translation import gettext as _

from cityloop.assessment.rates import UnitScore


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
    ]


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
    ]


def ranking_xlsx(month: date, ranking: list[UnitScore]) -> bytes:
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
    for column, width in zip("ABCDEFGH", [6, 12, 34, 10, 9, 9, 9, 10], strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ranking_pdf(month: date, ranking: list[UnitScore]) -> bytes:
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
                f"{s.response_rate:.1%}",
                f"{s.resolution_rate:.1%}",
                f"{s.satisfaction_rate:.1%}",
                f"{s.composite}",
            ]
        )
    table = Table(rows, repeatRows=1, colWidths=[30, 52, 170, 45, 45, 45, 45, 50])
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
    document.build([Paragraph(heading, title), table])
    return buffer.getvalue()
