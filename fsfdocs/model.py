"""The parsed-document contract shared by the parse layer, the extractors and the flows.

A :class:`ParsedDocument` is what the parse layer produces from one PDF and what every
extractor consumes. ``text`` is the document's body text in reading order (running headers and
footers removed, hyphenated line ends joined); every line and table cell knows its character
span in ``text``, and :meth:`ParsedDocument.page_at` maps any offset back to its page.

Tables are rendered into ``text`` at their place in reading order, one row per line with cells
separated by TAB, so table cells are grounded like any other span. Text extractors skip the spans
in :meth:`ParsedDocument.table_spans`; table extractors read :attr:`ParsedDocument.tables`.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Literal

TextSource = Literal["text_layer", "ocr"]
DocTextSource = Literal["text_layer", "ocr", "mixed"]
LineKind = Literal["heading", "body", "list_item", "table", "caption"]
DocType = Literal["ansokan", "arsanalys", "tjansteskrivelse", "ovrigt"]


@dataclass
class PageInfo:
    """One page: its size in PDF points, where its text came from, its span in the text."""

    page: int  # 1-based
    width: float
    height: float
    text_source: TextSource
    char_start: int
    char_end: int
    ocr_confidence: float | None = None  # mean word confidence 0..100 for OCR pages


@dataclass
class Line:
    """A line of body text in reading order, with its box (points, origin top-left)."""

    page: int
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    char_start: int
    char_end: int
    kind: LineKind = "body"
    block: int = 0  # paragraph / block number within the document
    font_size: float | None = None
    bold: bool = False


@dataclass
class TableCell:
    """One cell of a table grid; empty cells have ``text == ""`` and no span."""

    row: int
    col: int
    text: str
    page: int
    char_start: int | None = None
    char_end: int | None = None


@dataclass
class Table:
    """A table as a grid of cells. A table continued on the next page is one table."""

    table_id: str  # "t1", "t2", ... in document order
    pages: list[int]
    caption: str | None  # the text just above the table (title / unit line), if any
    n_rows: int
    n_cols: int
    header_rows: int  # how many leading rows are column headers
    cells: list[TableCell]
    char_start: int
    char_end: int

    def grid(self) -> list[list[str]]:
        """The table as a list of rows of cell strings."""
        out = [["" for _ in range(self.n_cols)] for _ in range(self.n_rows)]
        for c in self.cells:
            out[c.row][c.col] = c.text
        return out


@dataclass
class DocumentMetadata:
    """What identifies the document, taken from its content (not its file name)."""

    doc_type: DocType = "ovrigt"
    title: str | None = None
    year: int | None = None
    diarienummer: str | None = None
    date: str | None = None  # ISO date of the document, if stated
    organisation: str | None = None
    running_header: str | None = None
    running_footer: str | None = None


@dataclass
class ParsedDocument:
    """One parsed PDF: body text with offsets, pages, lines, tables and metadata."""

    doc_id: str  # sha256 of the file's bytes
    file_name: str
    source_path: str
    text: str
    pages: list[PageInfo]
    lines: list[Line] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    metadata: DocumentMetadata = field(default_factory=DocumentMetadata)
    parser_version: str = ""

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def text_source(self) -> DocTextSource:
        sources = {p.text_source for p in self.pages}
        if sources == {"ocr"}:
            return "ocr"
        if "ocr" in sources:
            return "mixed"
        return "text_layer"

    def page_at(self, offset: int) -> int:
        """The 1-based page holding character ``offset`` of :attr:`text`."""
        starts = [p.char_start for p in self.pages]
        i = bisect.bisect_right(starts, offset) - 1
        return self.pages[max(i, 0)].page

    def table_spans(self) -> list[tuple[int, int]]:
        """Character spans of :attr:`text` covered by tables (for text extractors to skip)."""
        return [(t.char_start, t.char_end) for t in self.tables]

    @classmethod
    def from_text(
        cls, text: str, doc_id: str = "test", file_name: str = "test.txt"
    ) -> ParsedDocument:
        """A document from plain text, pages split on form feeds; for tests of extractors."""
        pages: list[PageInfo] = []
        lines: list[Line] = []
        pos = 0
        for n, chunk in enumerate(text.split("\f"), start=1):
            start = pos
            for i, raw in enumerate(chunk.split("\n")):
                lines.append(Line(n, raw, 0, i * 12.0, 500, i * 12.0 + 10, pos, pos + len(raw)))
                pos += len(raw) + 1
            pages.append(PageInfo(n, 595, 842, "text_layer", start, pos))
        return cls(doc_id, file_name, file_name, text.replace("\f", "\n"), pages, lines)
