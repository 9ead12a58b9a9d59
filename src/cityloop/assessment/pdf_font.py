"""The Chinese font the PDF ranking is set in, embedded in the file.

A PDF that only names a font ("STSong-Light", Adobe's CJK set) shows the reader's own
substitute, or empty boxes where none is installed; a document sent to districts has to
look the same everywhere, so it carries its font. The machines have Noto Sans CJK
(fonts-noto-cjk), but as OpenType with PostScript (CFF) outlines in a collection, which
ReportLab cannot embed: it embeds TrueType only. So the characters the document uses are cut
out of the collection's Simplified Chinese face and their outlines turned into TrueType
quadratics (fontTools), and ReportLab embeds that small font (a few dozen kilobytes).

Where the font file or fontTools is missing, the PDF falls back to the named CID font
STSong-Light (not embedded: the reader supplies the glyphs) and a warning is logged.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

log = logging.getLogger(__name__)

FALLBACK_FONT = "STSong-Light"
EMBEDDED_NAME = "CityloopCJK"
SIMPLIFIED_FACE = "Noto Sans CJK SC"
# always in the font: digits, Latin letters and the punctuation of page numbers and dates
UNUSED_TABLES = ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "VORG", "vhea", "vmtx", "DSIG")
ALWAYS = string.printable + "第页共年月日，。：；（）、·—％"


@dataclass(frozen=True)
class PdfFont:
    name: str
    embedded: bool


def chinese_font(text: str) -> PdfFont:
    """A registered ReportLab font that can set `text`: the embedded subset of the
    configured CJK font, or the named CID font when that cannot be had."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    path = Path(settings.CITYLOOP_PDF_FONT)
    try:
        data = _truetype_subset(path, frozenset(text) | frozenset(ALWAYS))
    except (OSError, ImportError, ValueError) as why:
        log.warning(
            "PDF: the Chinese font %s cannot be embedded (%s); using %s", path, why, FALLBACK_FONT
        )
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
        return PdfFont(FALLBACK_FONT, embedded=False)
    # the subset differs with each document's text, so each is registered under its own
    # name (ReportLab keeps registered fonts by name for the whole process)
    name = f"{EMBEDDED_NAME}-{hashlib.sha1(data).hexdigest()[:12]}"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, io.BytesIO(data)))
    return PdfFont(name, embedded=True)


@functools.lru_cache(maxsize=16)
def _truetype_subset(path: Path, characters: frozenset[str]) -> bytes:
    """The glyphs of `characters` from the font at `path` (a collection's Simplified
    Chinese face), with TrueType outlines, as font file bytes. Kept for the last few
    character sets: the same month exported again costs no second cut (about a second)."""
    from fontTools import subset
    from fontTools.ttLib import TTCollection, TTFont

    if not path.is_file():
        raise FileNotFoundError(f"no font file at {path}")
    if path.suffix.lower() == ".ttc":
        faces = TTCollection(str(path), lazy=True).fonts
        names = [face["name"].getDebugName(4) for face in faces]
        index = names.index(SIMPLIFIED_FACE) if SIMPLIFIED_FACE in names else 0
        font = TTFont(str(path), fontNumber=index)
    else:
        font = TTFont(str(path))
    # the layout tables (shaping, vertical text) take most of a second cut's time to read
    # and nothing here uses them: left unread
    for tag in UNUSED_TABLES:
        if tag in font:
            del font[tag]
    options = subset.Options()
    options.layout_features = []  # horizontal text of single characters needs no shaping
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(characters)))
    subsetter.subset(font)
    _name_after(font, characters)
    if "CFF " in font:
        _cff_to_truetype(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _name_after(font: Any, characters: frozenset[str]) -> None:
    """Give the subset a PostScript name of its own ("NotoSansCJKsc-Regular-1a2b3c4d5e").
    ReportLab keys embedded fonts by that name too: a second subset under the same name
    would be taken for the first one registered, and its characters missing from it."""
    digest = hashlib.sha1("".join(sorted(characters)).encode()).hexdigest()[:10]
    table = font["name"]
    postscript = table.getDebugName(6) or EMBEDDED_NAME
    for record in table.names:
        if record.nameID == 6:
            record.string = f"{postscript}-{digest}"


def _cff_to_truetype(tt: Any) -> None:
    """Replace the font's cubic PostScript outlines by quadratic TrueType ones (what
    fontTools' otf2ttf recipe does), so ReportLab can read and embed it."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = tt.getGlyphOrder()
    glyph_set = tt.getGlyphSet()
    glyphs = {}
    for name in glyph_set:
        pen = TTGlyphPen(glyph_set)
        # max error 1 unit of 1000 per em; PostScript contours run the other way round
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    tt["loca"] = newTable("loca")
    glyf = tt["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del tt["CFF "]
    if "VORG" in tt:
        del tt["VORG"]
    glyf.compile(tt)
    metrics = tt["hmtx"]
    for name, glyph in glyphs.items():
        if hasattr(glyph, "xMin"):
            metrics[name] = (metrics[name][0], glyph.xMin)
    maxp = tt["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for field in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 0)
    maxp.compile(tt)
    tt["post"].formatType = 3.0  # no glyph names: CID glyphs have none
    tt.sfntVersion = "\000\001\000\000"
