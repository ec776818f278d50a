"""PDF → :class:`ParsedDocument`: text layer via pypdfium2, OCR via tesseract where needed."""

from __future__ import annotations

from pathlib import Path

from fsfdocs.model import ParsedDocument
from fsfdocs.parse.assemble import PageSource, assemble
from fsfdocs.parse.cache import sha256_file
from fsfdocs.parse.errors import NoContentError
from fsfdocs.parse.layout import group_lines
from fsfdocs.parse.metadata import detect_metadata
from fsfdocs.parse.ocr import ocr_page
from fsfdocs.parse.pdf_text import open_pdf, read_page
from fsfdocs.parse.ruled_grids import find_grids, has_grid_rules
from fsfdocs.parse.version import PARSER_VERSION


def parse_pdf(path: str | Path, *, ocr: bool = True, dpi: int = 200) -> ParsedDocument:
    """Parse one PDF into a :class:`ParsedDocument`.

    Text-layer pages are read with pypdfium2 (characters with boxes, fonts); pages that are
    scans (a page-sized image and almost no text) are rendered at ``dpi`` and read by tesseract
    (Swedish) when ``ocr`` is true, and left empty otherwise. Raises a :class:`ParseError`
    subclass naming the file for empty, non-PDF, encrypted, damaged or content-free files, and
    for OCR failures.
    """
    path = Path(path)
    pdf = open_pdf(path)
    try:
        sources: list[PageSource] = []
        any_content = False
        for index in range(len(pdf)):
            page = read_page(pdf, index, path.name)
            any_content = any_content or not page.is_blank
            if page.needs_ocr:
                conf = None
                words = []
                if ocr:
                    words, conf = ocr_page(pdf, index, path.name, dpi)
                source = PageSource(page.page, page.width, page.height, "ocr",
                                    group_lines(words, page.page), [], conf)
            else:
                source = PageSource(page.page, page.width, page.height, "text_layer",
                                    group_lines(page.words, page.page), page.rules)
            sources.append(source)
    finally:
        pdf.close()
    if not any_content:
        raise NoContentError(path.name)
    for source in sources:
        if source.text_source == "text_layer" and has_grid_rules(source.rules):
            source.grids = find_grids(source.rules)
    built = assemble(sha256_file(path), path.name, str(path), sources)
    doc = built.doc
    doc.metadata = detect_metadata(
        doc.text, built.furniture.header, built.furniture.footer, built.first_lines
    )
    doc.parser_version = PARSER_VERSION
    return doc
