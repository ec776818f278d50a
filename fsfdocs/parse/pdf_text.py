"""Open a PDF with pypdfium2 and read each page's words with boxes from its text layer.

pypdfium2 is used for everything that does not need a layout engine: it reads a text-layer page
in a few milliseconds (pdfplumber needs ~100 ms), and it renders scanned pages for OCR.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from fsfdocs.parse.errors import (
    CorruptPDFError,
    EmptyFileError,
    EncryptedPDFError,
    NotPDFError,
)
from fsfdocs.parse.layout import Word

BOLD_MARKERS = ("bold", "black", "heavy", "semibold", "demi")
MIN_TEXT_CHARS = 25  # fewer visible characters than this on a page with a big image: a scan
SCAN_IMAGE_COVER = 0.5  # share of the page an image must cover to count as a scanned page


@dataclass
class Rule:
    """A ruling line (or a thin filled rectangle) on a page, top-left origin."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def horizontal(self) -> bool:
        return (self.bottom - self.top) <= 2.5 and (self.x1 - self.x0) > 10

    @property
    def vertical(self) -> bool:
        return (self.x1 - self.x0) <= 2.5 and (self.bottom - self.top) > 6


@dataclass
class PageText:
    """What the text layer of one page holds."""

    page: int
    width: float
    height: float
    words: list[Word]
    rules: list[Rule] = field(default_factory=list)
    image_cover: float = 0.0  # largest share of the page one image covers
    visible_chars: int = 0

    @property
    def needs_ocr(self) -> bool:
        return self.visible_chars < MIN_TEXT_CHARS and self.image_cover >= SCAN_IMAGE_COVER

    @property
    def is_blank(self) -> bool:
        return self.visible_chars == 0 and self.image_cover == 0.0


def check_file(path: Path) -> None:
    """Raise the right :class:`ParseError` for files that are empty, not PDFs or truncated."""
    name = path.name
    size = path.stat().st_size
    if size == 0:
        raise EmptyFileError(name)
    with path.open("rb") as fh:
        head = fh.read(1024)
        fh.seek(max(0, size - 2048))
        tail = fh.read()
    if b"%PDF-" not in head:
        low = head.lower()
        if b"<html" in low or b"<!doctype" in low:
            raise NotPDFError(name, "the file is an HTML page, not a PDF (a saved web page?)")
        raise NotPDFError(name, "the file is not a PDF (no PDF header found)")
    if b"%%EOF" not in tail:
        raise CorruptPDFError(name, "the PDF is truncated (its end is missing); copy it again")


def open_pdf(path: Path) -> pdfium.PdfDocument:
    """Open a PDF, turning pdfium's errors into plain-worded :class:`ParseError` subclasses."""
    check_file(path)
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD or "password" in str(
            exc
        ).lower():
            raise EncryptedPDFError(path.name) from None
        raise CorruptPDFError(path.name) from None
    if len(pdf) == 0:
        pdf.close()
        raise CorruptPDFError(path.name, "the PDF has no pages; export it again")
    return pdf


def read_page(pdf: pdfium.PdfDocument, index: int, file_name: str) -> PageText:
    """Words, ruling lines and image cover of page ``index`` (0-based)."""
    try:
        page = pdf[index]
        width, height = page.get_size()
        textpage = page.get_textpage()
    except pdfium.PdfiumError:
        detail = f"page {index + 1} is damaged and cannot be read"
        raise CorruptPDFError(file_name, detail) from None
    words, visible = _words(textpage, height)
    rules, cover = _rules_and_images(page, width, height)
    textpage.close()
    page.close()
    return PageText(index + 1, width, height, words, rules, cover, visible)


def _words(textpage: pdfium.PdfTextPage, height: float) -> tuple[list[Word], int]:
    raw = textpage.raw
    n = pdfium_c.FPDFText_CountChars(raw)
    rect = pdfium_c.FS_RECTF()
    name_buf = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    words: list[Word] = []
    chars: list[str] = []
    x0 = top = x1 = bottom = size = 0.0
    bold = False
    visible = 0

    def flush() -> None:
        if chars:
            words.append(Word("".join(chars), x0, top, x1, bottom, size, bold))
            chars.clear()

    for i in range(n):
        ch = chr(pdfium_c.FPDFText_GetUnicode(raw, i))
        if ch == "\x02":  # pdfium's mark for a hyphen at a line end
            ch = "-"
        if ch.isspace() or ch == "\x00" or ch == "\ufffe":
            flush()
            continue
        pdfium_c.FPDFText_GetLooseCharBox(raw, i, rect)
        c_top, c_bottom = height - rect.top, height - rect.bottom
        c_size = pdfium_c.FPDFText_GetFontSize(raw, i)
        visible += 1
        if chars:
            joins = (
                -0.5 * size < rect.left - x1 < 0.2 * size
                and min(bottom, c_bottom) - max(top, c_top) > 0.5 * (c_bottom - c_top)
            )
            if joins:
                chars.append(ch)
                x1 = max(x1, rect.right)
                top, bottom = min(top, c_top), max(bottom, c_bottom)
                continue
            flush()
        pdfium_c.FPDFText_GetFontInfo(raw, i, name_buf, 128, ctypes.byref(flags))
        font = name_buf.value.decode("latin-1").lower()
        bold = any(m in font for m in BOLD_MARKERS) or bool(flags.value & (1 << 18))
        chars.append(ch)
        x0, top, x1, bottom, size = rect.left, c_top, rect.right, c_bottom, c_size
    flush()
    return words, visible


def _rules_and_images(
    page: pdfium.PdfPage, width: float, height: float
) -> tuple[list[Rule], float]:
    rules: list[Rule] = []
    cover = 0.0
    kinds = [pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_IMAGE]
    for obj in page.get_objects(filter=kinds, max_depth=2):
        left, bottom, right, top = obj.get_bounds()
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            area = max(0.0, right - left) * max(0.0, top - bottom)
            cover = max(cover, area / (width * height))
            continue
        rule = Rule(left, height - top, right, height - bottom)
        if rule.horizontal or rule.vertical:
            rules.append(rule)
        elif right - left > 10 and top - bottom > 6:  # a cell rectangle: keep its four edges
            rules += [
                Rule(left, height - top, right, height - top),
                Rule(left, height - bottom, right, height - bottom),
                Rule(left, height - top, left, height - bottom),
                Rule(right, height - top, right, height - bottom),
            ]
    return rules, cover
