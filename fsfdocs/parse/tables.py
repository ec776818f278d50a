"""Table detection from word geometry: ruled grids and column alignment.

Two detectors feed the same :class:`TableRegion`:

- **Ruled grids** (text-layer pages with ruling lines): the grid geometry comes from pdfplumber
  (:mod:`fsfdocs.parse.ruled_grids`); each word of the page's lines goes into the cell holding
  its centre. Every separately ruled grid is its own table.
- **Column alignment** (pages without grids, OCR pages): a line whose words fall into two or more
  segments (gaps wider than a word space, see :func:`fsfdocs.parse.layout.split_segments`) is a
  table-row candidate; a run of such lines, with wrapped label lines between them, forms a table.
  A table ends at a vertical gap larger than row spacing and at a heading. Visual lines are
  grouped into rows: by spacing when rows are set apart from the wrapped lines inside them, else
  by Swedish wording cues (a continuation starts in lower case, or the line above ends with a
  comma, hyphen, open parenthesis or a function word such as ``och``, ``för``, ``inom``).

Rules and thresholds live in ``layout_rules.yaml`` (section ``tables``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from statistics import median

from fsfdocs.parse.layout import RawLine, Segment
from fsfdocs.parse.pdf_text import Rule
from fsfdocs.parse.ruled_grids import Grid
from fsfdocs.parse.rules import layout_rules

NUMERIC = re.compile(
    r"^[(−–+-]?\s*\d{1,3}(?:[ \u00a0\u202f]\d{3})*(?:[,.]\d+)?\s*(?:%|kr|tkr|mnkr|mkr)?\)?$"
    r"|^[(−–+-]?\d+(?:[,.]\d+)?\s*%?\)?$"
)
YEAR = re.compile(r"^(?:19|20)\d{2}$")
# A title starts with a capital, possibly after a section number (``3.5. Aktiviteter``).
TITLE_START = re.compile(r"^\W*(\d+(\.\d+)*\.?\s+)?[A-ZÅÄÖ]")


def is_numeric(cell: str) -> bool:
    """True for amount-like cells (``1 053 804``, ``-12,5``, ``84 %``); not for a bare year."""
    cell = cell.strip()
    return bool(cell) and bool(NUMERIC.match(cell)) and not YEAR.match(cell)


def _rules() -> dict:
    return layout_rules()["tables"]


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
    ruled: bool = False  # from a ruled grid (columns are the grid's vertical rules)

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


def detect_tables(
    lines: list[RawLine],
    rules: list[Rule],
    page: int,
    allow_weak_top: bool = False,
    grids: list[Grid] | None = None,
) -> list[TableRegion]:
    """Tables on one page's body lines (sorted top to bottom).

    ``grids`` are the page's ruled grids (:func:`fsfdocs.parse.ruled_grids.find_grids`); the
    lines they do not hold go to the alignment detector. ``rules`` is kept for callers; the
    alignment detector does not need it. With ``allow_weak_top`` a run of one aligned row at
    the very top of the page is returned too (as a possible continuation of the previous page's
    table; the caller keeps it only if it continues one).
    """
    del rules  # grids carry the ruling lines' geometry
    if not lines:
        return []
    taken = [False] * len(lines)
    found: list[TableRegion] = []
    for grid in grids or []:
        table = _from_grid(lines, grid, page, taken)
        if table is not None:
            found.append(table)
            for k in range(table.first, table.last + 1):
                taken[k] = True
    found += _aligned_tables(lines, page, taken, allow_weak_top)
    found.sort(key=lambda t: t.first)
    for t in found:
        t.caption_lines = _caption(lines, t, found)
    return found


# --- ruled grids -------------------------------------------------------------------------


def _from_grid(
    lines: list[RawLine], grid: Grid, page: int, taken: list[bool]
) -> TableRegion | None:
    """The table of one ruled grid: each word goes into the cell holding its centre."""
    inside = [
        k
        for k, ln in enumerate(lines)
        if not taken[k]
        and grid.top - 1 <= (ln.top + ln.bottom) / 2 <= grid.bottom + 1
        and min(ln.x1, grid.x1) - max(ln.x0, grid.x0) > 0
    ]
    if not inside:
        return None
    n_cols = len(grid.col_edges) - 1
    texts: dict[int, list[list[str]]] = {}
    row_lines: dict[int, list[int]] = {}
    for k in range(inside[0], inside[-1] + 1):
        for w in lines[k].words:
            r = grid.row_of((w.top + w.bottom) / 2)
            if r is None:
                r = 0 if (w.top + w.bottom) / 2 < grid.top else len(grid.rows) - 1
            c = grid.col_of((w.x0 + w.x1) / 2)
            texts.setdefault(r, [[] for _ in range(n_cols)])[c].append(w.text)
            if k not in row_lines.setdefault(r, []):
                row_lines[r].append(k)
    order = sorted(texts)
    rows = [[" ".join(ws) for ws in texts[r]] for r in order]
    table = TableRegion(page, inside[0], inside[-1], grid.columns, rows,
                        [sorted(row_lines[r]) for r in order], ruled=True)
    table.header_rows = header_row_count(rows)
    return table


# --- column alignment --------------------------------------------------------------------


def _aligned_tables(
    lines: list[RawLine], page: int, taken: list[bool], allow_weak_top: bool
) -> list[TableRegion]:
    segs = [_row_segments(ln) for ln in lines]
    out: list[TableRegion] = []
    i = 0
    while i < len(lines):
        if taken[i] or len(segs[i]) < 2:
            i += 1
            continue
        members = _grow(lines, segs, taken, i)
        multi = sum(len(segs[k]) >= 2 for k in members)
        weak_ok = allow_weak_top and i == 0 and multi >= 1
        table = None
        if multi >= 2 or weak_ok:
            table = _build_aligned(lines, segs, members, page)
        if table is not None:
            out.append(table)
            i = table.last + 1
        else:
            i += 1
    return out


def _grow(lines: list[RawLine], segs: list[list[Segment]], taken: list[bool], i: int) -> list[int]:
    """Lines of the table starting at line ``i``: aligned lines and label-column lines between
    them, up to a large vertical gap, a heading, or a line that does not fit the columns."""
    cfg = _rules()
    members = [i]
    k = i + 1
    while k < len(lines) and not taken[k]:
        rows = [lines[m] for m in members]
        height = median(ln.bottom - ln.top for ln in rows)
        size = median(ln.size for ln in rows)
        gap = lines[k].top - lines[k - 1].bottom
        if gap > cfg["break_gap"] * height:
            break
        if len(segs[k]) < 2:
            ln = lines[k]
            if ln.size > cfg["larger_font"] * size:
                break  # a heading between two tables
            columns = _columns_from_gaps([segs[m] for m in members if len(segs[m]) >= 2])
            if not _fits_one_column(ln, columns, size):
                break  # spans columns: body text after the table
        members.append(k)
        k += 1
    return members


def _fits_one_column(ln: RawLine, columns: list[tuple[float, float]], size: float) -> bool:
    """Whether a one-segment line lies within one column (a wrapped cell of that column)."""
    touched = [i for i, (a, b) in enumerate(columns) if min(ln.x1, b) - max(ln.x0, a) > 0]
    if len(touched) != 1:
        return False
    j = touched[0]
    if ln.x0 < columns[j][0] - 0.6 * size:
        return False
    return j == len(columns) - 1 or ln.x1 < columns[j + 1][0] - 0.3 * size


def _ends_open(text: str) -> bool:
    """Whether a row label ends so that it must go on (``…, ``, ``… inom``, ``(inom``)."""
    cfg = _rules()
    t = text.rstrip()
    if not t:
        return False
    if t[-1] in cfg["continues_after_chars"] or t.count("(") > t.count(")"):
        return True
    last = t.split()[-1].lower()
    return last in set(cfg["continues_after_words"])


def _numeric_cols(cells: list[str]) -> set[int]:
    return {c for c, text in enumerate(cells) if c and is_numeric(text)}


def _build_aligned(
    lines: list[RawLine], segs: list[list[Segment]], members: list[int], page: int
) -> TableRegion | None:
    columns = _columns_from_gaps([segs[k] for k in members if len(segs[k]) >= 2])
    if len(columns) < 2:
        return None
    cfg = _rules()
    cells = {k: assign(segs[k], columns) for k in members}
    height = median(lines[k].bottom - lines[k].top for k in members)
    gaps = {b: lines[b].top - lines[a].bottom for a, b in zip(members, members[1:], strict=False)}
    tight = {k: g < cfg["wrap_gap"] * height for k, g in gaps.items()}
    spaced = any(tight.values()) and not all(tight.values())
    rows: list[list[str]] = []
    row_lines: list[list[int]] = []
    for k in members:
        if rows and _joins(rows[-1], cells[k], k, tight, spaced):
            rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], cells[k], strict=True)]
            row_lines[-1].append(k)
        else:
            rows.append(list(cells[k]))
            row_lines.append([k])
    # Trailing lines that joined no row are body text after the table.
    while row_lines and len(row_lines[-1]) == 1 and len(segs[row_lines[-1][0]]) < 2:
        rows.pop()
        row_lines.pop()
    if sum(sum(1 for c in r if c) >= 2 for r in rows) < 1:
        return None
    table = TableRegion(page, row_lines[0][0], row_lines[-1][-1], columns, rows, row_lines)
    table.header_rows = header_row_count(rows)
    return table


def _joins(
    row: list[str], cells: list[str], k: int, tight: dict[int, bool], spaced: bool
) -> bool:
    """Whether visual line ``k`` (``cells``) continues the row above (``row``)."""
    both = _numeric_cols(row) | _numeric_cols(cells)
    if any(row[c] and cells[c] for c in both):
        return False  # two amounts in one column: two rows
    if spaced:
        return tight[k]
    # Rows not set apart from wrapped lines: wording decides.
    first = next((c for c in cells if c), "")
    if first[:1].islower():
        return True
    return bool(cells[0]) and _ends_open(row[0])


def header_row_count(rows: list[list[str]]) -> int:
    """Leading rows holding no amount (column titles); at most 3, and 0 for one-row tables."""
    numeric_rows = [any(is_numeric(c) for c in r[1:]) for r in rows]
    if not any(numeric_rows):
        return 1 if len(rows) >= 3 and all(rows[0]) else 0
    n = numeric_rows.index(True)
    return min(n, 3)


def _caption(lines: list[RawLine], table: TableRegion, tables: list[TableRegion]) -> list[int]:
    """The title line just above the table, with the line above it when it is a unit line
    (``Tkr``, ``Belopp i kronor``). Sentences, list items and long lines are not captions."""
    cfg = _rules()
    taken = {k for t in tables for k in range(t.first, t.last + 1)}
    unit = re.compile(cfg["unit_line"], re.IGNORECASE)
    below = lines[table.first]
    height = below.bottom - below.top
    out: list[int] = []
    k = table.first - 1
    while 0 <= k and k not in taken and len(out) < 2:
        ln = lines[k]
        text = ln.text.strip()
        if (
            below.top - ln.bottom > cfg["caption_gap"] * height
            or len(text) > cfg["caption_max_chars"]
            or ln.kind == "list_item"
            or re.search(r"[.;,!?]\s*$", text)
            or not (unit.match(text) or TITLE_START.match(text))
        ):
            break
        out.insert(0, k)
        if not unit.match(text):
            break
        below, k = ln, k - 1
    return out


def continues_table(
    prev: TableRegion, lines: list[RawLine], nxt: TableRegion, tol: float = 12.0
) -> bool:
    """True when ``nxt`` (at the top of a page) continues ``prev`` (at the end of the last page).

    Ruled grids continue when both have the same column edges. Aligned tables continue when
    every segment of ``nxt``'s lines falls inside one of ``prev``'s columns (widened by ``tol``
    points) and no segment straddles two columns. A repeated header is allowed.
    """
    if prev.ruled or nxt.ruled:
        return (
            prev.ruled
            and nxt.ruled
            and prev.n_cols == nxt.n_cols
            and all(
                abs(a - c) <= 3 and abs(b - d) <= 3
                for (a, b), (c, d) in zip(prev.columns, nxt.columns, strict=True)
            )
        )
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
    """Re-cut a continuation's rows into the first part's columns (aligned tables only)."""
    if table.ruled:
        return
    table.columns = columns
    table.rows = []
    for ks in table.row_lines:
        cells = [""] * len(columns)
        for k in ks:
            for c, text in enumerate(assign(_row_segments(lines[k]), columns)):
                cells[c] = f"{cells[c]} {text}".strip()
        table.rows.append(cells)
