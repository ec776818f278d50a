"""Build a ParsedDocument holding real Table objects (rows rendered as TAB-separated lines)."""

from __future__ import annotations

from fsfdocs.model import DocumentMetadata, ParsedDocument, Table, TableCell


def doc_with_table(
    before: str, rows: list[list[str]], header_rows: int, caption: str | None = None,
    doc_type: str = "arsanalys", after: str = "",
) -> ParsedDocument:
    """A document: ``before`` text, the table, ``after`` text; cells grounded in the text."""
    text = before
    start = len(text)
    cells = []
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value:
                cells.append(TableCell(r, c, value, 1, len(text), len(text) + len(value)))
            else:
                cells.append(TableCell(r, c, "", 1))
            text += value + ("\t" if c < len(row) - 1 else "\n")
    end = len(text)
    text += after
    doc = ParsedDocument.from_text(text)
    n_rows, n_cols = len(rows), len(rows[0])
    doc.tables = [Table("t1", [1], caption, n_rows, n_cols, header_rows, cells, start, end)]
    doc.metadata = DocumentMetadata(doc_type=doc_type, year=2024)  # type: ignore[arg-type]
    return doc
