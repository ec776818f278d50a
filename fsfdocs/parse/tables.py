"""Table detection from word geometry: column alignment, optionally bounded by ruling lines.

The same detector serves text-layer pages and OCR pages (words with boxes from tesseract), and
tables with or without ruling lines. A line whose words fall into two or more segments (gaps
wider than a word space, see :func:`fsfdocs.parse.layout.split_segments`) is a table-row
candidate; runs of such lines whose segments share column positions form a table. Ruling lines,
when present, mark the table's extent (so label-only rows belong to it) and its row bands (so a
cell wrapped over two visual lines stays one cell).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fsfdocs.parse.layout import RawLine, Segment
from fsfdocs.parse.pdf_text import Rule
from fsfdocs.parse.rules import layout_rules

NUMERIC = re.compile(
    r"^[(−–+-]?\s*\d{1,3}(?:[ \u00a0\u202f]\d{3})*(?:[,.]\d+)?\s*(?:%|kr|tkr|mnkr|mkr)?\)?$"
    r"|^[(−–+-]?\d+(?:[,.]\d+)?\s*%?\)?$"
)
YEAR = re.compile(r"^(?:19|20)\d{2}$")


def is_numeric(cell: str) -> bool:
    """True for amount-like cells (``1 053 804``, ``-12,5``, ``84 %``); not for a bare year."""
    cell = cell.strip()
    return bool(cell) and bool(NUMERIC.match(cell)) and not YEAR.match(cell)


@dataclass
class TableRegion:
    """A table found on one page (or continued from one): line indices, columns and rows."""

    page: int
    first: int  # index of its first line in the page's body lines
    last: int  # index of its last line (inclusive)
    columns: list[tuple[float, float]]
    rows: list[list[str]]
    row_lines: list[list[int]]  # body-line indices making up each row
    header_rows: int = 0
    caption_lines: list[int] = field(default_factory=list)
    continued: list[TableRegion] = field(default_factory=list)  # parts on the next pages

    @property
    def n_cols(self) -> int:
        return len(self.columns)


def _row_segments(line: RawLine) -> list[Segment]:
    """The line's segments with a lone list marker (``•``, ``1.``) merged into the next one."""
    marker = re.compile(layout_rules()["lines"]["list_item"])
    segs = list(line.segments)
    if len(segs) >= 2 and len(segs[0].words) == 1 and marker.match(segs[0].text + " x"):
        if len(segs[0].text) <= 3:
            segs = [Segment(segs[0].words + segs[1].words), *segs[2:]]
    return segs


def _columns_from_gaps(seg_rows: list[list[Segment]]) -> list[tuple[float, float]]:
    """Column extents from the rows with the most segments (x ranges merged where they overlap).

    Rows with fewer segments (a header whose titles sit close together, a label-only row) do
    not shape the columns; their words are placed into these columns by :func:`assign`.
    """
    most = max((len(r) for r in seg_rows), default=0)
    full = [r for r in seg_rows if len(r) == most] if most >= 2 else seg_rows
    spans = sorted((s.x0, s.x1) for row in full for s in row)
    if not spans:
        return []
    cols: list[list[float]] = [[spans[0][0], spans[0][1]]]
    for x0, x1 in spans[1:]:
        if x0 <= cols[-1][1] + 1.0:
            cols[-1][1] = max(cols[-1][1], x1)
        else:
            cols.append([x0, x1])
    return [(a, b) for a, b in cols]


def _columns_from_rules(
    rules: list[Rule], x0: float, x1: float, top: float, bottom: float
) -> list[tuple[float, float]] | None:
    xs = sorted(
        {
            round((r.x0 + r.x1) / 2, 0)
            for r in rules
            if r.vertical and r.top < bottom and r.bottom > top and x0 - 3 <= r.x0 <= x1 + 3
        }
    )
    edges: list[float] = []
    for x in xs:
        if not edges or x - edges[-1] > 4:
            edges.append(x)
    if len(edges) < 3:
        return None
    return list(zip(edges, edges[1:], strict=False))


def _column_of(x0: float, x1: float, columns: list[tuple[float, float]]) -> int:
    """The column a box belongs to: the one it overlaps most, else the next one to its right
    (titles and numbers are right-aligned), else the last."""
    overlaps = [min(x1, b) - max(x0, a) for a, b in columns]
    best = max(range(len(columns)), key=lambda i: overlaps[i])
    if overlaps[best] > 0:
        return best
    for i, (a, _b) in enumerate(columns):
        if x1 <= a:
            return i
    return len(columns) - 1


def assign(segments: list[Segment], columns: list[tuple[float, float]]) -> list[str]:
    """Cell texts of one row. A segment lying in one column goes there whole; a segment that
    spans several columns (closely set column titles) is split word by word."""
    cells = [""] * len(columns)
    for seg in segments:
        touched = [i for i, (a, b) in enumerate(columns) if min(seg.x1, b) - max(seg.x0, a) > 0]
        if len(touched) <= 1:
            parts = [(seg.text, _column_of(seg.x0, seg.x1, columns))]
        else:
            parts = [(w.text, _column_of(w.x0, w.x1, columns)) for w in seg.words]
        for text, col in parts:
            cells[col] = f"{cells[col]} {text}".strip()
    return cells


def _ruled_regions(rules: list[Rule]) -> list[tuple[float, float, float, float]]:
    """(x0, top, x1, bottom) of areas bounded by two or more aligned horizontal rules."""
    hs = sorted((r for r in rules if r.horizontal), key=lambda r: r.top)
    regions: list[list[Rule]] = []
    for r in hs:
        if regions:
            last = regions[-1][-1]
            same_width = abs(r.x0 - last.x0) < 8 and abs(r.x1 - last.x1) < 8
            overlap = min(r.x1, last.x1) - max(r.x0, last.x0) > 0
            gap = r.top - last.top
            if (same_width or overlap) and gap < 45:
                regions[-1].append(r)
                continue
        regions.append([r])
    out = []
    for group in regions:
        tops = sorted({round(r.top, 0) for r in group})
        if len(tops) >= 2:
            out.append(
                (min(r.x0 for r in group), tops[0], max(r.x1 for r in group), tops[-1])
            )
    return out


def _h_rule_ys(rules: list[Rule], region: tuple[float, float, float, float]) -> list[float]:
    x0, top, x1, bottom = region
    ys = sorted(
        {round(r.top, 1) for r in rules if r.horizontal and top - 1 <= r.top <= bottom + 1}
    )
    return ys


def detect_tables(
    lines: list[RawLine], rules: list[Rule], page: int, allow_weak_top: bool = False
) -> list[TableRegion]:
    """Tables on one page's body lines (sorted top to bottom).

    With ``allow_weak_top`` a run of one aligned row at the very top of the page is returned
    too (as a possible continuation of the previous page's table; the caller keeps it only if it
    continues one).
    """
    if not lines:
        return []
    segs = [_row_segments(ln) for ln in lines]
    in_region: list[int | None] = [None] * len(lines)
    regions = _ruled_regions(rules)
    for ri, (x0, top, x1, bottom) in enumerate(regions):
        for i, ln in enumerate(lines):
            mid = (ln.top + ln.bottom) / 2
            if top - 1 <= mid <= bottom + 1 and ln.x0 >= x0 - 6 and ln.x1 <= x1 + 6:
                in_region[i] = ri
    found: list[TableRegion] = []
    i = 0
    pitch = _line_pitch(lines)
    while i < len(lines):
        if in_region[i] is not None:
            ri = in_region[i]
            j = i
            while j + 1 < len(lines) and in_region[j + 1] == ri:
                j += 1
            table = _build(lines, segs, i, j, page, rules, regions[ri])
            if table and (sum(len(segs[k]) >= 2 for k in range(i, j + 1)) >= 1):
                found.append(table)
            i = j + 1
            continue
        if len(segs[i]) < 2:
            i += 1
            continue
        j = i
        k = i + 1
        while k < len(lines) and in_region[k] is None:
            gap = lines[k].top - lines[k - 1].bottom
            if gap > 1.6 * pitch:
                break
            if len(segs[k]) >= 2:
                j = k
            elif not (k + 1 < len(lines) and len(segs[k + 1]) >= 2 and in_region[k + 1] is None):
                break
            k += 1
        multi = sum(len(segs[m]) >= 2 for m in range(i, j + 1))
        weak_ok = allow_weak_top and i == 0 and multi >= 1
        if multi >= 2 or weak_ok:
            table = _build(lines, segs, i, j, page, rules, None)
            if table and (table.n_cols >= 2) and (multi >= 2 or weak_ok):
                found.append(table)
        i = j + 1
    for t in found:
        t.caption_lines = _caption(lines, t, found, pitch)
    return found


def _line_pitch(lines: list[RawLine]) -> float:
    heights = sorted(ln.bottom - ln.top for ln in lines)
    return heights[len(heights) // 2] if heights else 12.0


def _build(
    lines: list[RawLine],
    segs: list[list[Segment]],
    i: int,
    j: int,
    page: int,
    rules: list[Rule],
    region: tuple[float, float, float, float] | None,
) -> TableRegion | None:
    rows_segs = [segs[k] for k in range(i, j + 1)]
    columns = None
    if region is not None:
        columns = _columns_from_rules(rules, region[0], region[2], region[1], region[3])
    if columns is None:
        columns = _columns_from_gaps(rows_segs)
    if len(columns) < 2:
        return None
    rows: list[list[str]] = []
    row_lines: list[list[int]] = []
    bands = _h_rule_ys(rules, region) if region is not None else []
    prev_band = None
    for k in range(i, j + 1):
        cells = assign(segs[k], columns)
        mid = (lines[k].top + lines[k].bottom) / 2
        band = sum(1 for y in bands if y < mid) if bands else None
        if rows and band is not None and band == prev_band and _continues(rows[-1], cells):
            rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], cells, strict=True)]
            row_lines[-1].append(k)
        else:
            rows.append(cells)
            row_lines.append([k])
        prev_band = band
    table = TableRegion(page, i, j, columns, rows, row_lines)
    table.header_rows = header_row_count(rows)
    return table


def _continues(prev: list[str], cells: list[str]) -> bool:
    """A visual line in the same ruled band continues the row when it only adds wrapped text."""
    for a, b in zip(prev, cells, strict=True):
        if b and (is_numeric(b) or is_numeric(a)):
            return False
    return True


def header_row_count(rows: list[list[str]]) -> int:
    """Leading rows holding no amount (column titles); at most 3, and 0 for one-row tables."""
    numeric_rows = [any(is_numeric(c) for c in r[1:]) for r in rows]
    if not any(numeric_rows):
        return 1 if len(rows) >= 3 and all(rows[0]) else 0
    n = numeric_rows.index(True)
    return min(n, 3)


def _caption(
    lines: list[RawLine], table: TableRegion, tables: list[TableRegion], pitch: float
) -> list[int]:
    """Up to two short lines just above the table (title and unit line such as ``Tkr``)."""
    taken = {k for t in tables for k in range(t.first, t.last + 1)}
    out: list[int] = []
    k = table.first - 1
    below_top = lines[table.first].top
    while k >= 0 and len(out) < 2 and k not in taken:
        ln = lines[k]
        if below_top - ln.bottom > 2.2 * pitch or len(ln.text) > 80:
            break
        out.insert(0, k)
        below_top = ln.top
        if re.search(r"[.!?]\s*$", ln.text):
            out.pop(0)
            break
        k -= 1
    return out


def continues_table(
    prev: TableRegion, lines: list[RawLine], nxt: TableRegion, tol: float = 12.0
) -> bool:
    """True when ``nxt`` (at the top of a page) continues ``prev`` (at the end of the last page).

    Every segment of ``nxt``'s lines must fall inside one of ``prev``'s columns (widened by
    ``tol`` points) and no segment may straddle two columns; a repeated header is allowed.
    """
    cols = [(a - tol, b + tol) for a, b in prev.columns]
    multi = 0
    for k in range(nxt.first, nxt.last + 1):
        segs = _row_segments(lines[k])
        multi += len(segs) >= 2
        for seg in segs:
            hits = [c for c in cols if seg.x0 >= c[0] and seg.x1 <= c[1]]
            if len(hits) != 1:
                return False
    return multi >= 1


def reassign(
    lines: list[RawLine], table: TableRegion, columns: list[tuple[float, float]]
) -> None:
    """Re-cut a continuation's rows into the first part's columns."""
    table.columns = columns
    table.rows = []
    for ks in table.row_lines:
        cells = [""] * len(columns)
        for k in ks:
            for c, text in enumerate(assign(_row_segments(lines[k]), columns)):
                cells[c] = f"{cells[c]} {text}".strip()
        table.rows.append(cells)
