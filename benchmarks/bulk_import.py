"""What a bulk import costs. Prints, on a fresh SQLite database in a temporary folder with
the tiny test city (2 streets, a standard address each):

- rows per second of `import_file` (read, check, place on the address library, the whole
  recorded life — 7 to 8 events, an assignment, a callback — and the row record, in chunks
  of 500 per transaction), for a CSV and for the same rows as .xlsx (two addresses, so
  placing is nearly free: the best case), and for a CSV whose every row has an address of
  its own (each one placed: the worst case);
- the re-run of the same file (every row found done: nothing written);
- rows per second of a --dry-run (read and check only).

Usage: python benchmarks/bulk_import.py [--rows 5000]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ["CITYLOOP_DATA_DIR"] = tempfile.mkdtemp(prefix="cityloop-import-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityloop.settings")

HEADER = [
    "工单编号", "受理时间", "诉求内容", "诉求人", "联系电话", "事发地址", "分类", "承办单位",
    "办结时间", "办理结果", "是否解决", "满意度", "关闭时间",
]  # fmt: skip
SATISFACTION = ["满意", "满意", "基本满意", "不满意"]


def history(rows: int, prefix: str, distinct: bool = False) -> list[list[str]]:
    out = []
    for n in range(rows):
        day, street = 1 + n % 27, 1 + n % 2
        out.append(
            [
                f"{prefix}{n}",
                f"2026-03-{day:02d} {8 + n % 10:02d}:{n % 60:02d}",
                f"小区门口路灯坏了，晚上很黑，请尽快修理（{n}）",
                "王先生",
                f"139{n:08d}",
                f"北京市朝阳区光华路{n}号" if distinct else f"北京市朝阳区光华路{street}号院3号楼",
                "城乡建设 › 城市建设和市政管理 › 城市公共设施",
                "建外街道办事处" if street == 1 else "朝外街道办事处",
                f"2026-03-{day + 1:02d} 10:00",
                "已安排维修，路灯已恢复照明",
                "是" if n % 5 else "否",
                SATISFACTION[n % 4],
                f"2026-03-{day + 1:02d} 18:00",
            ]
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()

    import django

    django.setup()
    from openpyxl import Workbook

    from cityloop.cli import _prepare_database
    from cityloop.intake.bulk.services import import_file
    from cityloop.testing import build_tiny_city

    print(f"database: sqlite  python {sys.version.split()[0]}  cpus {os.cpu_count()}")
    _prepare_database()
    build_tiny_city()
    folder = Path(os.environ["CITYLOOP_DATA_DIR"])

    source = folder / "history.csv"
    with source.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(history(args.rows, "C"))
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for line in history(args.rows, "X"):
        sheet.append(line)
    excel = folder / "history.xlsx"
    book.save(excel)

    distinct = folder / "distinct.csv"
    with distinct.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(history(args.rows, "D", distinct=True))

    def timed(path: Path, **options: object) -> tuple[float, object]:
        started = time.perf_counter()
        summary = import_file(path, actor_name="bench", **options)  # type: ignore[arg-type]
        return time.perf_counter() - started, summary

    seconds, summary = timed(source, dry_run=True)
    print(f"dry run, {args.rows} CSV rows: {args.rows / seconds:,.0f} rows/s")
    for label, path in (
        ("CSV", source),
        ("xlsx", excel),
        ("CSV, every address different,", distinct),
    ):
        seconds, summary = timed(path)
        print(
            f"import, {args.rows} {label} rows: {args.rows / seconds:,.0f} rows/s "
            f"({seconds:.1f} s; imported {summary.imported}, rejected {summary.rejected})"  # type: ignore[attr-defined]
        )
    seconds, summary = timed(source)
    print(f"re-run of the CSV: {seconds:.1f} s, imported {summary.imported}")  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
