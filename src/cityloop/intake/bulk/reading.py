"""Reading an import file: CSV (UTF-8, or GB18030 as Chinese Excel saves it) or Excel
(.xlsx, the first sheet), its header row mapped to the fields of an appeal.

The default mapping accepts each field under its Chinese or English column name; a mapping
file (JSON, {"field": "column name"}) names other columns. Row numbers are the sheet's: the
header is row 1, the first data row is row 2."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from cityloop.kernel.errors import DomainError

# field → the column names it is found under by default (Chinese first).
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "external_id": ("工单编号", "ticket_id"),
    "received_at": ("受理时间", "received_at"),
    "title": ("标题", "title"),
    "content": ("诉求内容", "content"),
    "caller_name": ("诉求人", "caller_name"),
    "caller_phone": ("联系电话", "caller_phone"),
    "address": ("事发地址", "address"),
    "category": ("分类", "category"),
    "appeal_type": ("诉求类型", "appeal_type"),
    "urgency": ("紧急程度", "urgency"),
    "unit": ("承办单位", "unit"),
    "replied_at": ("办结时间", "replied_at"),
    "reply_text": ("办理结果", "reply_text"),
    "evaluated_at": ("回访时间", "evaluated_at"),
    "contacted": ("是否联系", "contacted"),
    "resolved": ("是否解决", "resolved"),
    "satisfaction": ("满意度", "satisfaction"),
    "closed_at": ("关闭时间", "closed_at"),
}
REQUIRED = ("received_at", "content")
CSV_SUFFIXES = {".csv", ".txt"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}


def bad_file(message: str) -> DomainError:
    return DomainError("bad_import_file", message)


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_mapping(path: Path | None) -> dict[str, str]:
    """The mapping file's {field: column}; unknown fields are refused, not ignored."""
    if path is None:
        return {}
    try:
        mapping = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise bad_file(_("无法读取列映射文件：%(error)s") % {"error": error}) from None
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    ):
        raise bad_file(_('列映射文件须为 JSON 对象：{"字段": "列名"}'))
    unknown = sorted(set(mapping) - set(DEFAULT_COLUMNS))
    if unknown:
        raise bad_file(_("列映射中有未知字段：%(fields)s") % {"fields": "、".join(unknown)})
    return mapping


@dataclass
class Sheet:
    """The header's positions of each field, and the data rows with their row numbers."""

    columns: dict[str, int]
    total: int
    path: Path
    kind: str

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        cells = _csv_rows(self.path) if self.kind == "csv" else _excel_rows(self.path)
        next(cells, None)  # the header
        for number, row in enumerate(cells, start=2):
            if not any(_text(cell) for cell in row):
                continue  # blank lines between records are not rows
            yield (
                number,
                {
                    field: _text(row[index]) if index < len(row) else ""
                    for field, index in self.columns.items()
                },
            )


def open_sheet(path: Path, mapping: dict[str, str]) -> Sheet:
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        kind = "csv"
        cells = _csv_rows(path)
    elif suffix in EXCEL_SUFFIXES:
        kind = "excel"
        cells = _excel_rows(path)
    else:
        raise bad_file(_("只能导入 CSV 或 Excel（.xlsx）文件：%(name)s") % {"name": path.name})
    header = [_text(cell) for cell in next(cells, [])]
    columns = _columns(header, mapping)
    total = sum(1 for row in cells if any(_text(cell) for cell in row))
    return Sheet(columns=columns, total=total, path=path, kind=kind)


def _columns(header: list[str], mapping: dict[str, str]) -> dict[str, int]:
    position = {name: index for index, name in reversed(list(enumerate(header))) if name}
    columns: dict[str, int] = {}
    for field, names in DEFAULT_COLUMNS.items():
        wanted = (mapping[field],) if field in mapping else names
        found = next((position[name] for name in wanted if name in position), None)
        if found is not None:
            columns[field] = found
        elif field in mapping:
            raise bad_file(
                _("文件中没有列映射指定的列“%(column)s”（字段 %(field)s）")
                % {"column": mapping[field], "field": field}
            )
    missing = [DEFAULT_COLUMNS[f][0] for f in REQUIRED if f not in columns]
    if missing:
        raise bad_file(_("文件缺少必需的列：%(columns)s") % {"columns": "、".join(missing)})
    return columns


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _encoding(path: Path) -> str:
    with path.open("rb") as source:
        head = source.read(1 << 16)
    try:
        # a multi-byte character may be cut at the end of the sample
        head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:
            return "gb18030"
    return "utf-8-sig"


def _csv_rows(path: Path) -> Iterator[list[object]]:
    encoding = _encoding(path)
    try:
        with path.open(encoding=encoding, newline="") as source:
            yield from csv.reader(source)
    except UnicodeDecodeError:
        raise bad_file(_("文件编码无法识别（应为 UTF-8 或 GB18030）")) from None
    except csv.Error as error:
        raise bad_file(_("CSV 格式错误：%(error)s") % {"error": error}) from None


def _excel_rows(path: Path) -> Iterator[list[object]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as error:
        raise bad_file(_("无法打开 Excel 文件：%(error)s") % {"error": error}) from None
    except Exception as error:  # zipfile.BadZipFile and the like: not an Excel file at all
        raise bad_file(_("无法打开 Excel 文件：%(error)s") % {"error": error}) from None
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_excel_cell(cell) for cell in row]
    finally:
        book.close()


def _excel_cell(cell: object) -> object:
    from datetime import datetime

    if isinstance(cell, datetime):
        return cell.strftime("%Y-%m-%d %H:%M:%S")
    return cell


__all__ = ["DEFAULT_COLUMNS", "Sheet", "file_digest", "load_mapping", "open_sheet"]
