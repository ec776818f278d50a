"""From per-page words to a :class:`ParsedDocument`: furniture removal, line kinds, tables,
hyphen joining, and the body text with character offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from statistics import median

from fsfdocs.model import Line, PageInfo, ParsedDocument, Table, TableCell
from fsfdocs.parse.furniture import Furniture, detect_furniture
from fsfdocs.parse.hyphenation import Hyphenation, apply, document_vocabulary
from fsfdocs.parse.layout import RawLine
from fsfdocs.parse.line_kinds import body_font_size, classify
from fsfdocs.parse.pdf_text import Rule
from fsfdocs.parse.ruled_grids import Grid
from fsfdocs.parse.rules import layout_rules
from fsfdocs.parse.tables import TableRegion, continues_table, detect_tables, reassign

SENTENCE_END = re.compile(r"[.!?:]\s*$")


@dataclass
class PageSource:
    """One page's raw material: its lines (from the text layer or OCR) and ruling lines."""

    page: int
    width: float
    height: float
    text_source: str
    lines: list[RawLine]
    rules: list[Rule] = field(default_factory=list)
    ocr_confidence: float | None = None
    grids: list[Grid] = field(default_factory=list)  # ruled table grids (pdfplumber)


@dataclass
class _Out:
    """A text line on its way into the body text."""

    page: int
    text: str
    line: RawLine
    kind: str
    new_block: bool


@dataclass
class _TableItem:
    root: TableRegion
    part: TableRegion
    lines: list[RawLine]


@dataclass
class Assembled:
    """The parsed document plus what metadata detection needs."""

    doc: ParsedDocument
    furniture: Furniture
    first_lines: list[str]


def assemble(doc_id: str, file_name: str, source_path: str, pages: list[PageSource]) -> Assembled:
    """Build the document: body lines and tables of every page in reading order, with offsets."""
    furniture = detect_furniture(
        [p.lines for p in pages], [p.height for p in pages], [p.text_source == "ocr" for p in pages]
    )
    body = [
        [ln for i, ln in enumerate(p.lines) if (pi, i) not in furniture.removed]
        for pi, p in enumerate(pages)
    ]
    size = body_font_size([ln for lines in body for ln in lines])
    for p, lines in zip(pages, body, strict=True):
        for ln in lines:
            ln.kind = classify(ln, size, p.text_source == "ocr")
    tables = _find_tables(pages, body)
    items = _flow(pages, body, tables)
    _join_hyphens(items)
    doc = _emit(doc_id, file_name, source_path, pages, items)
    first_lines = [ln.text for lines in body[:2] for ln in lines[:40]]
    return Assembled(doc, furniture, first_lines)


def _find_tables(
    pages: list[PageSource], body: list[list[RawLine]]
) -> list[list[tuple[TableRegion, TableRegion]]]:
    """Per page: (root table, part on this page); a continued table keeps its first part's root."""
    out: list[list[tuple[TableRegion, TableRegion]]] = []
    open_root: TableRegion | None = None
    open_part: TableRegion | None = None
    for pi, p in enumerate(pages):
        lines = body[pi]
        weak = open_part is not None
        found = detect_tables(lines, p.rules, p.page, allow_weak_top=weak, grids=p.grids)
        page_items: list[tuple[TableRegion, TableRegion]] = []
        for t in found:
            is_top = t.first == 0
            if (
                is_top
                and open_root is not None
                and open_part is not None
                and continues_table(open_part, lines, t)
            ):
                reassign(lines, t, open_root.columns)
                t.header_rows = 0
                t.caption_lines = []
                open_root.continued.append(t)
                page_items.append((open_root, t))
                continue
            if sum(sum(1 for c in r if c) >= 2 for r in t.rows) < 2:
                continue  # a lone aligned line at the page top that continues nothing
            page_items.append((t, t))
        out.append(page_items)
        last = page_items[-1] if page_items else None
        if last and last[1].last == len(lines) - 1:
            open_root, open_part = last
        else:
            open_root = open_part = None
    return out


def _flow(
    pages: list[PageSource],
    body: list[list[RawLine]],
    tables: list[list[tuple[TableRegion, TableRegion]]],
) -> list[list[_Out | _TableItem]]:
    gap = float(layout_rules()["blocks"]["paragraph_gap"])
    flow: list[list[_Out | _TableItem]] = []
    for pi, _p in enumerate(pages):
        lines = body[pi]
        starts = {part.first: (root, part) for root, part in tables[pi]}
        in_table = {k for _r, part in tables[pi] for k in range(part.first, part.last + 1)}
        captions = {k for _r, part in tables[pi] for k in part.caption_lines}
        pitches = [
            b.top - a.top
            for a, b in zip(lines, lines[1:], strict=False)
            if a.kind == b.kind == "body" and b.top > a.top
        ]
        pitch = median(pitches) if pitches else 14.0
        items: list[_Out | _TableItem] = []
        prev: RawLine | None = None
        prev_kind = None
        for k, ln in enumerate(lines):
            if k in starts:
                root, part = starts[k]
                items.append(_TableItem(root, part, lines))
                prev, prev_kind = None, "table"
                continue
            if k in in_table:
                continue
            kind = "caption" if k in captions else ln.kind
            if kind == "body" and prev_kind == "list_item" and prev is not None:
                if ln.x0 > prev.x0 + 2 and ln.top - prev.top <= gap * pitch:
                    kind = "list_item"  # the wrapped continuation of a list item
                    items.append(_Out(ln.page, ln.text, ln, kind, False))
                    prev, prev_kind = ln, kind
                    continue
            new_block = (
                prev is None
                or kind != prev_kind
                or kind in ("heading",) and prev_kind != "heading"
                or (kind == "list_item" and ln.kind == "list_item")
                or ln.top - prev.top > gap * pitch
            )
            items.append(_Out(ln.page, ln.text, ln, kind, new_block))
            prev, prev_kind = ln, kind
        flow.append(items)
    return flow


def _join_hyphens(flow: list[list[_Out | _TableItem]]) -> None:
    seq: list[_Out | _TableItem] = [it for items in flow for it in items]
    texts = [it.text for it in seq if isinstance(it, _Out)]
    hyph = Hyphenation(document_vocabulary(texts))
    for a, b in zip(seq, seq[1:], strict=False):
        if not (isinstance(a, _Out) and isinstance(b, _Out)):
            continue
        if not a.text.endswith("-") or b.kind in ("heading", "caption") or a.kind == "heading":
            continue
        decision = hyph.decide(a.text, b.text)
        a.text, b.text = apply(a.text, b.text, decision)
    for items in flow:
        items[:] = [it for it in items if not isinstance(it, _Out) or it.text.strip()]


def _emit(
    doc_id: str,
    file_name: str,
    source_path: str,
    pages: list[PageSource],
    flow: list[list[_Out | _TableItem]],
) -> ParsedDocument:
    parts: list[str] = []
    pos = 0
    block = 0
    out_lines: list[Line] = []
    infos: list[PageInfo] = []
    tables: dict[int, Table] = {}
    last: _Out | _TableItem | None = None

    def write(s: str) -> tuple[int, int]:
        nonlocal pos
        start = pos
        parts.append(s)
        pos += len(s)
        return start, pos

    for p, items in zip(pages, flow, strict=True):
        page_start: int | None = None
        for it in items:
            if last is not None:
                if _continues_paragraph(last, it):
                    write("\n")
                else:
                    write("\n\n")
                    block += 1
            if page_start is None:
                page_start = pos
            if isinstance(it, _Out):
                s, e = write(it.text)
                ln = it.line
                out_lines.append(
                    Line(p.page, it.text, ln.x0, ln.top, ln.x1, ln.bottom, s, e,
                         kind=it.kind, block=block, font_size=round(ln.size, 2), bold=ln.bold)
                )
            else:
                _emit_table(it, p.page, write, out_lines, tables, block)
            last = it
        start = page_start if page_start is not None else pos
        infos.append(
            PageInfo(p.page, p.width, p.height, p.text_source, start, pos, p.ocr_confidence)
        )
    for a, b in zip(infos, infos[1:], strict=False):
        a.char_end = b.char_start if b.char_start >= a.char_end else a.char_end
    ordered = sorted(tables.values(), key=lambda t: t.char_start)
    for n, t in enumerate(ordered, start=1):
        t.table_id = f"t{n}"
    return ParsedDocument(doc_id, file_name, source_path, "".join(parts), infos, out_lines,
                          ordered)


def _continues_paragraph(prev: _Out | _TableItem, nxt: _Out | _TableItem) -> bool:
    if not (isinstance(prev, _Out) and isinstance(nxt, _Out)):
        return False
    if not nxt.new_block:
        return True
    if prev.page != nxt.page and prev.kind == nxt.kind == "body":
        # A paragraph running over a page break: no sentence end, next starts in lower case.
        return not SENTENCE_END.search(prev.text) and nxt.text[:1].islower()
    return False


def _emit_table(it: _TableItem, page: int, write, out_lines, tables, block) -> None:
    root, part = it.root, it.part
    table = tables.get(id(root))
    if table is None:
        caption = "\n".join(it.lines[k].text for k in root.caption_lines) or None
        table = Table("", [page], caption, 0, root.n_cols, root.header_rows, [], 0, 0)
        tables[id(root)] = table
    elif page not in table.pages:
        table.pages.append(page)
    for r, (cells, ks) in enumerate(zip(part.rows, part.row_lines, strict=True)):
        if r:
            write("\n")
        row_no = table.n_rows
        row_start = None
        for c, text in enumerate(cells):
            if c:
                write("\t")
            s, e = write(text)
            row_start = s if row_start is None else row_start
            table.cells.append(
                TableCell(row_no, c, text, page, s if text else None, e if text else None)
            )
        if row_no == 0:
            table.char_start = row_start or 0
        table.char_end = e
        table.n_rows += 1
        rl = [it.lines[k] for k in ks]
        row_text = "\t".join(cells)
        out_lines.append(
            Line(page, row_text, min(x.x0 for x in rl), min(x.top for x in rl),
                 max(x.x1 for x in rl), max(x.bottom for x in rl), row_start or 0, e,
                 kind="table", block=block, font_size=round(rl[0].size, 2), bold=rl[0].bold)
        )
