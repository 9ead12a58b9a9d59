"""Reading a PDF the way a reader does, enough for the tests: the text of each page (through
each font's ToUnicode map, as copy and paste gets it) and the fonts embedded in the file.
Written for the plain PDFs ReportLab makes (no object streams, no cross-reference streams)."""

from __future__ import annotations

import base64
import re
import zlib

OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
# a font chosen ("/F2+0 8 Tf") or a literal string shown ("(...) Tj")
TEXT_OPERATION = re.compile(rb"/([^\s/\[\]()<>]+)\s+[\d.]+\s+Tf|\(((?:\\.|[^\\)])*)\)\s*Tj", re.S)
ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def objects(pdf: bytes) -> dict[int, bytes]:
    return {int(number): body for number, body in OBJECT.findall(pdf)}


def stream_of(body: bytes) -> bytes:
    """The decoded stream of an object (ASCII85 and Flate, the filters ReportLab uses)."""
    length = int(re.search(rb"/Length (\d+)", body).group(1))
    start = re.search(rb"stream\r?\n", body).end()
    data = body[start : start + length]
    if b"/ASCII85Decode" in body:
        data = base64.a85decode(data.strip(), adobe=True)
    if b"/FlateDecode" in body:
        data = zlib.decompress(data)
    return data


def reference(body: bytes, key: bytes) -> int | None:
    found = re.search(rb"/" + re.escape(key) + rb" (\d+) 0 R", body)
    return int(found.group(1)) if found else None


def embedded_fonts(pdf: bytes) -> dict[str, bytes]:
    """Base font name → the font program embedded for it (FontFile, FontFile2 or 3)."""
    found = {}
    everything = objects(pdf)
    for body in everything.values():
        if b"/Type /FontDescriptor" not in body:
            continue
        name = re.search(rb"/FontName /(\S+)", body).group(1).decode()
        for key in (b"FontFile", b"FontFile2", b"FontFile3"):
            number = reference(body, key)
            if number is not None:
                found[name] = stream_of(everything[number])
    return found


def font_names(pdf: bytes) -> set[str]:
    return {name.decode() for name in re.findall(rb"/BaseFont /(\S+)", pdf)}


def pages_text(pdf: bytes) -> list[str]:
    """The text shown on each page, in the order it is drawn."""
    everything = objects(pdf)
    pages_root = next(body for body in everything.values() if b"/Type /Pages" in body)
    kids = re.search(rb"/Kids \[([^\]]*)\]", pages_root).group(1)
    return [
        _page_text(everything, everything[int(number)])
        for number in re.findall(rb"(\d+) 0 R", kids)
    ]


def _page_text(everything: dict[int, bytes], page: bytes) -> str:
    fonts_at = reference(page, b"Font")
    resources = everything[fonts_at] if fonts_at is not None else page
    maps = {
        name.decode(): _to_unicode(everything, everything[int(number)])
        for name, number in re.findall(rb"/(\S+) (\d+) 0 R", resources)
    }
    content = stream_of(everything[reference(page, b"Contents")])
    text, current = [], {}
    for operation in TEXT_OPERATION.finditer(content):
        if operation.group(1) is not None:
            current = maps.get(operation.group(1).decode(), {})
        else:
            raw = _unescape(operation.group(2))
            text.append("".join(current.get(byte, chr(byte)) for byte in raw))
    return "".join(text)


def _to_unicode(everything: dict[int, bytes], font: bytes) -> dict[int, str]:
    number = reference(font, b"ToUnicode")
    if number is None:
        return {}
    cmap = b"".join(re.findall(rb"beginbfchar(.*?)endbfchar", stream_of(everything[number]), re.S))
    return {
        int(code, 16): bytes.fromhex(unicode.decode()).decode("utf-16-be")
        for code, unicode in re.findall(rb"<([0-9A-Fa-f]{2})> <([0-9A-Fa-f]+)>", cmap)
    }


def _unescape(literal: bytes) -> bytes:
    def one(match: re.Match[bytes]) -> bytes:
        escaped = match.group(1)
        if escaped[:1].isdigit():
            return bytes([int(escaped, 8)])
        return ESCAPES.get(escaped, escaped)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, literal, flags=re.S)
