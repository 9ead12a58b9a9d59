"""Reading labelled and unlabelled texts from any CSV a city brings."""

from __future__ import annotations

import csv
from pathlib import Path


def _rows(path: str | Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = [c.strip() for c in (reader.fieldnames or [])]
        rows = [{(k or "").strip(): (v or "") for k, v in row.items()} for row in reader]
    return columns, rows


# Title and body columns, in English or as the TipDM data names them.
TITLE_BODY = (("title", "detail"), ("留言主题", "留言详情"))


def _has_text(columns: list[str]) -> bool:
    return "text" in columns or any(set(pair) <= set(columns) for pair in TITLE_BODY)


def _text(row: dict[str, str], columns: list[str]) -> str:
    if "text" in columns and row.get("text", "").strip():
        return "".join(row["text"].split())
    for title, body in TITLE_BODY:
        if title in columns:
            return "".join((row.get(title, "") + row.get(body, "")).split())
    return ""


def read_labeled(path: str | Path) -> tuple[list[str], list[str]]:
    columns, rows = _rows(path)
    if not _has_text(columns) or "label" not in columns:
        raise ValueError(
            f"{path}: needs the columns text,label (found: {', '.join(columns) or 'none'})"
        )
    texts, labels = [], []
    for row in rows:
        text, label = _text(row, columns), row.get("label", "").strip()
        if text and label:
            texts.append(text)
            labels.append(label)
    return texts, labels


def read_unlabeled(path: str | Path) -> list[str]:
    columns, rows = _rows(path)
    if not _has_text(columns):
        raise ValueError(f"{path}: needs a text column (found: {', '.join(columns) or 'none'})")
    return [text for row in rows if (text := _text(row, columns))]
