"""批量导入 as an administrator runs it: a CSV or an Excel file of historical appeals becomes
appeals with their original times and outcomes, every row once, bad rows reported."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from django.utils import timezone

from cityloop.analytics.queries import run_select
from cityloop.appeals.models import Appeal
from cityloop.assessment.rates import city_rates, monthly_ranking
from cityloop.evaluate.models import Callback
from cityloop.intake.bulk.models import ImportBatch, ImportedRow
from cityloop.intake.bulk.services import import_file
from cityloop.kernel.errors import DomainError

HEADER = [
    "工单编号", "受理时间", "诉求内容", "诉求人", "联系电话", "事发地址", "分类", "承办单位",
    "办结时间", "办理结果", "是否解决", "满意度", "关闭时间",
]  # fmt: skip
PATH = "城乡建设 › 城市建设和市政管理 › 城市公共设施"
ADDRESS = "北京市朝阳区建外街道光华路1号院3号楼"


def row(ticket: str, **cells: str) -> dict[str, str]:
    base = {
        "工单编号": ticket,
        "受理时间": "2026-03-02 09:15",
        "诉求内容": "小区门口路灯坏了，晚上很黑，诉求人张三丰请尽快修",
        "诉求人": "张三丰",
        "联系电话": "13800138000",
        "事发地址": ADDRESS,
        "分类": PATH,
        "承办单位": "建外街道办事处",
        "办结时间": "2026-03-04 16:00",
        "办理结果": "已更换灯泡",
        "是否解决": "是",
        "满意度": "满意",
        "关闭时间": "2026-03-06 10:00",
    }
    return {**base, **cells}


def write_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.DictWriter(out, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


def local(text: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(text))


def imported(path: Path, **options: object):  # type: ignore[no-untyped-def]
    return import_file(path, actor_name="test", **options)  # type: ignore[arg-type]


def test_a_csv_row_becomes_an_appeal_with_its_original_life(city, tmp_path):
    summary = imported(write_csv(tmp_path / "history.csv", [row("BJ-1")]))
    assert (summary.imported, summary.rejected) == (1, 0)
    appeal = Appeal.objects.get()
    assert appeal.channel == "bulk_import"
    assert appeal.status == "closed" and appeal.outcome == "resolved"
    assert appeal.received_at == local("2026-03-02 09:15")
    assert appeal.replied_at == local("2026-03-04 16:00")
    assert appeal.closed_at == local("2026-03-06 10:00")
    assert appeal.tracking_code.startswith("260302")
    assert appeal.main_unit == city.street_offices[0]
    assert appeal.category == city.category(*PATH.split(" › "))
    assert appeal.grid == city.grids[0] and appeal.street == city.streets[0]
    actions = list(appeal.events.order_by("seq").values_list("action", flat=True))
    assert actions == ["receive", "locate", "dispatch", "sign_for", "reply", "evaluate", "close"]
    assert appeal.version == len(actions)
    receive = appeal.events.get(action="receive")
    assert "history.csv 第 2 行" in receive.reason and "BJ-1" in receive.reason
    callback = Callback.objects.get(appeal=appeal)
    assert callback.satisfaction == "satisfied" and callback.resolved and callback.contacted
    assert callback.unit == city.street_offices[0]
    # personal data masked on the public fields, as on every public output
    assert "张三丰" in appeal.content and "张三丰" not in appeal.public_content
    assert ImportedRow.objects.get().appeal == appeal


def test_a_late_reply_is_marked_overdue_at_its_deadline_and_an_open_row_stays_open(city, tmp_path):
    rows = [
        row("LATE", 办结时间="2026-04-30 10:00", 关闭时间="2026-05-02 10:00"),
        row("OPEN", 办结时间="", 办理结果="", 是否解决="", 满意度="", 关闭时间=""),
    ]
    imported(write_csv(tmp_path / "h.csv", rows))
    late = ImportedRow.objects.get(external_id="LATE").appeal
    assert late.overdue_at == late.reply_due_at and late.reply_due_at < late.replied_at
    assert "mark_overdue" in set(late.events.values_list("action", flat=True))
    still_open = ImportedRow.objects.get(external_id="OPEN").appeal
    assert still_open.status == "dispatched" and still_open.replied_at is None
    assert not Callback.objects.filter(appeal=still_open).exists()


def test_an_excel_file_with_english_columns_and_real_dates(city, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["ticket_id", "received_at", "content", "unit", "replied_at", "satisfaction"])
    sheet.append(
        ["X-1", datetime(2026, 2, 3, 8, 30), "水管漏水", "WATER", datetime(2026, 2, 4), "基本满意"]
    )
    sheet.append([None, None, None, None, None, None])  # a blank row is no row
    sheet.append(["X-2", datetime(2026, 2, 5, 8, 30), "", "WATER", None, None])
    book.save(tmp_path / "history.xlsx")
    summary = imported(tmp_path / "history.xlsx")
    assert (summary.imported, summary.rejected) == (1, 1)
    assert summary.rejections == [(4, "X-2", "缺少诉求内容")]  # the sheet's own row number
    appeal = Appeal.objects.get()
    assert appeal.received_at == local("2026-02-03 08:30")
    assert appeal.main_unit == city.water and appeal.status == "evaluated"
    assert Callback.objects.get().satisfaction == "basically_satisfied"


def test_rejected_rows_are_reported_with_their_row_numbers_and_every_reason(city, tmp_path):
    rows = [
        row("OK-1"),
        row("BAD-1", 受理时间="去年春天", 承办单位="不存在的单位"),
        row("BAD-2", 办结时间="2026-03-01 08:00"),  # before it was received
        row("BAD-3", 受理时间="2099-01-01 00:00", 办结时间="", 关闭时间="", 满意度="", 是否解决=""),
        row("OK-1"),  # the same ticket again
        row("BAD-4", 承办单位="", 满意度="很好", 联系电话="abc"),
    ]
    summary = imported(write_csv(tmp_path / "h.csv", rows))
    assert (summary.imported, summary.rejected) == (1, 5)
    reasons = {number: reason for number, _ticket, reason in summary.rejections}
    assert set(reasons) == {3, 4, 5, 6, 7}
    assert (
        "受理时间无法识别：去年春天" in reasons[3] and "承办单位不存在：不存在的单位" in reasons[3]
    )
    assert "办结时间早于受理时间" in reasons[4]
    assert "受理时间晚于当前时间" in reasons[5]
    assert "工单编号 OK-1 与第 2 行重复" in reasons[6]
    assert all(
        part in reasons[7]
        for part in ("未知的满意度：很好", "联系电话格式不正确：abc", "有办结时间却没有承办单位")
    )
    assert Appeal.objects.count() == 1


def test_running_the_same_file_again_gives_nothing_twice(city, tmp_path):
    path = write_csv(
        tmp_path / "h.csv", [row(f"T-{n}") for n in range(5)] + [row("T-x", 诉求内容="")]
    )
    first = imported(path, chunk_size=2)
    again = imported(path, chunk_size=2)
    assert (first.imported, first.rejected, first.skipped) == (5, 1, 0)
    assert (again.imported, again.rejected, again.skipped) == (0, 0, 6)
    assert again.rejections == first.rejections, "the report still lists every rejected row"
    assert Appeal.objects.count() == 5 and ImportBatch.objects.count() == 1
    # the same tickets in another file (corrected, say): repeats, not new appeals
    other = imported(write_csv(tmp_path / "fixed.csv", [row("T-1"), row("T-x")]))
    assert (other.imported, other.rejected) == (1, 1)
    assert "工单编号 T-1 已导入" in other.rejections[0][2]
    assert Appeal.objects.count() == 6


def test_an_import_cut_off_between_chunks_carries_on_where_it_stopped(city, tmp_path):
    path = write_csv(tmp_path / "h.csv", [row(f"T-{n}") for n in range(7)])

    def stop_after_first_chunk(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        imported(path, chunk_size=3, progress=stop_after_first_chunk)
    assert Appeal.objects.count() == 3, "whole chunks only"
    assert ImportBatch.objects.get().finished_at is None
    would = imported(path, dry_run=True)
    assert (would.imported, would.rejected, would.skipped) == (4, 0, 3)
    resumed = imported(path, chunk_size=3)
    assert (resumed.imported, resumed.skipped) == (4, 3)
    tickets = sorted(ImportedRow.objects.values_list("external_id", flat=True))
    assert tickets == [f"T-{n}" for n in range(7)]
    assert ImportBatch.objects.get().finished_at is not None


def test_a_dry_run_checks_every_row_and_writes_nothing(city, tmp_path):
    path = write_csv(tmp_path / "h.csv", [row("A"), row("A"), row("B", 受理时间="")])
    summary = imported(path, dry_run=True)
    assert (summary.imported, summary.rejected) == (1, 2)
    assert [number for number, *_ in summary.rejections] == [3, 4]
    assert not Appeal.objects.exists() and not ImportBatch.objects.exists()


def test_a_mapping_file_names_other_columns(city, tmp_path):
    path = tmp_path / "own.csv"
    path.write_text("单号,时间,内容\nQ-1,2026/03/02 09:15,井盖丢了\n", encoding="gb18030")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps({"external_id": "单号", "received_at": "时间", "content": "内容"}),
        encoding="utf-8",
    )
    summary = imported(path, mapping_path=mapping)
    assert summary.imported == 1
    appeal = Appeal.objects.get()
    assert appeal.content == "井盖丢了" and appeal.status == "received"
    # the same file with another mapping would mix two readings of it
    mapping.write_text(json.dumps({"received_at": "时间", "content": "内容"}), encoding="utf-8")
    with pytest.raises(DomainError, match="另一列映射"):
        imported(path, mapping_path=mapping)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("h.pdf", "x", "只能导入 CSV 或 Excel"),
        ("h.csv", "工单编号,诉求内容\n1,路灯\n", "缺少必需的列：受理时间"),
        ("h.xlsx", "not a zip", "无法打开 Excel 文件"),
    ],
)
def test_a_bad_file_is_refused_before_anything_is_written(city, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DomainError, match=message):
        imported(path)
    assert not ImportBatch.objects.exists()


def test_the_three_rates_of_an_imported_month_come_from_the_assessment(
    city, tmp_path, analytics_store
):
    rows = [
        row("R-1"),
        row("R-2", 满意度="基本满意"),
        row("R-3", 是否解决="否", 满意度="不满意"),
        row("R-4", 是否解决="否", 满意度="满意"),
        row("R-5", 办结时间="", 办理结果="", 是否解决="", 满意度="", 关闭时间=""),
    ]
    imported(write_csv(tmp_path / "h.csv", rows))
    # the callbacks were made when the appeals were closed (no 回访时间 column): in March
    rates = city_rates(date(2026, 3, 1))
    assert rates.valid == 4
    assert rates.response_rate == 1.0
    assert rates.resolution_rate == 0.5
    assert rates.satisfaction_rate == pytest.approx((2 + 0.8) / 4)
    unit_row = monthly_ranking(date(2026, 3, 1)).rows[0]
    assert unit_row.unit_code == city.street_offices[0].code and unit_row.valid == 4
    assert city_rates(date(2026, 2, 1)).valid == 0
    # and the analytics store takes the imported month in on its next export
    analytics_store()
    _columns, found = run_select("SELECT count(*) FROM callbacks WHERE month = '2026-03'")
    assert found[0][0] == 4
    _columns, found = run_select("SELECT count(*) FROM appeals WHERE channel = 'bulk_import'")
    assert found[0][0] == 5


def test_reasons_are_given_in_the_users_language(city, tmp_path):
    from django.utils import translation

    path = write_csv(tmp_path / "h.csv", [row("E-1", 诉求内容="", 承办单位="Nowhere")])
    with translation.override("en"):
        summary = imported(path, dry_run=True)
    assert (
        summary.rejections[0][2] == "The appeal content is missing; No such handling unit: Nowhere"
    )


def test_the_administrator_reads_the_batches_and_the_rejected_rows(city, tmp_path):
    imported(write_csv(tmp_path / "h.csv", [row("A-1"), row("A-2", 受理时间="")]))
    admin = city.admin_client()
    batches = admin.get("/admin/bulk_import/importbatch/")
    assert batches.status_code == 200 and "h.csv" in batches.content.decode()
    rows = admin.get("/admin/bulk_import/importedrow/?q=A-2").content.decode()
    assert "缺少受理时间" in rows
    assert admin.get("/admin/bulk_import/importbatch/add/").status_code == 403


def test_the_place_comes_from_the_address_column_else_from_the_text(city, tmp_path):
    rows = [
        row("P-1", 事发地址="北京市朝阳区朝外街道光华路2号院3号楼"),
        row("P-2", 事发地址="北京市朝阳区朝外街道光华路2号院3号楼", 诉求内容="路灯坏了"),
        row("P-3", 事发地址="", 诉求内容="建外街道光华路1号院3号楼门口路灯坏了"),
        row("P-4", 事发地址="", 诉求内容="路灯坏了"),
    ]
    imported(write_csv(tmp_path / "h.csv", rows))
    placed = {
        r.external_id: (r.appeal.grid, r.appeal.placement)
        for r in ImportedRow.objects.select_related("appeal")
    }
    assert placed["P-1"] == placed["P-2"] == (city.grids[1], "address")
    assert placed["P-3"] == (city.grids[0], "address")
    assert placed["P-4"] == (None, "city"), "nowhere to be read: the centre places it"
    assert "locate" in ImportedRow.objects.get(external_id="P-4").appeal.events.values_list(
        "action", flat=True
    )
