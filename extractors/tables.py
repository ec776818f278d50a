"""Amounts in table cells: which tables hold money, their unit, row and column labels.

A money table is read into a :class:`MoneyTable` (also used by the sum checks); every numeric
cell of it becomes an amount record. Rules live in ``extractors/rules/amount_tables.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from extractors.rules_loader import load_rules
from fsfdocs.model import ParsedDocument, Table, TableCell

# Digit groups of three, separated by a space or a thousands dot (``1.053.804``; the decimal
# sign is a comma). The first group may hold four digits and a separator may be a dot, as OCR
# reads the narrow spaces of "1 053 804" as "1053 804" or "1.053 804".
_CELL_NUMBER = re.compile(
    r"^(?P<sign>[-−–+])?[ \u00a0\u202f]?"
    r"(?P<num>\d{1,4}(?:[ \u00a0\u202f.]\d{3})+(?:,\d+)?|\d+(?:,\d+)?)$"
)


@dataclass
class MoneyTable:
    """A table read as money: unit, labels and the SEK value of each numeric cell."""

    table: Table
    unit: str
    factor: int
    header_rows: int
    column_labels: list[str | None]
    row_labels: list[str | None]
    values: dict[tuple[int, int], int] = field(default_factory=dict)  # (row, col) -> SEK
    cells: dict[tuple[int, int], TableCell] = field(default_factory=dict)


def _rules() -> dict[str, Any]:
    return load_rules("amount_tables.yaml")


def parse_cell_number(text: str) -> Decimal | None:
    """The number in a table cell (``-50 986``, ``4,1``, ``− 2,5``), or None if not a number."""
    t = " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())
    m = _CELL_NUMBER.match(t)
    if not m:
        return None
    value = Decimal(re.sub(r"[\s.]", "", m.group("num")).replace(",", "."))
    return -value if m.group("sign") in ("-", "−", "–") else value


def _header_rows(table: Table, grid: list[list[str]]) -> int:
    """Leading rows of column headers: the parse layer's count, cut at the first row of amounts
    (a header holds words and years, never amounts; OCR may blur the two), else counted here."""
    year = re.compile(_rules()["year_column"], re.IGNORECASE)

    def is_header(row: list[str]) -> bool:
        body = [c.strip() for c in row[1:] if c.strip()]
        return bool(body) and all(parse_cell_number(c) is None or year.match(c) for c in body)

    if table.header_rows:
        return next(
            (r for r in range(1, table.header_rows) if not is_header(grid[r])), table.header_rows
        )
    n = 0
    for row in grid:
        if is_header(row):
            n += 1
        else:
            break
    return n if n < len(grid) else 0


def _unit(text: str) -> tuple[str, int] | None:
    for u in _rules()["units"]:
        if re.search(u["pattern"], text, re.IGNORECASE):
            return u["unit"], int(u["factor"])
    return None


def _column_label(grid: list[list[str]], header_rows: int, col: int) -> str | None:
    parts = [" ".join(grid[r][col].split()) for r in range(header_rows) if grid[r][col].strip()]
    return " ".join(parts) or None


def _row_label(row: list[str]) -> str | None:
    for cell in row:
        if cell.strip() and parse_cell_number(cell) is None:
            return " ".join(cell.split())
        if parse_cell_number(cell) is not None:
            return None
    return None


def read_money_tables(doc: ParsedDocument) -> list[MoneyTable]:
    """The document's money tables, in order; tables of percentages or counts are left out."""
    rules = _rules()
    not_money = [re.compile(p, re.IGNORECASE) for p in rules["not_money"]]
    money_words = [re.compile(p, re.IGNORECASE) for p in rules["money_headers"]]
    out: list[MoneyTable] = []
    previous: MoneyTable | None = None
    for table in doc.tables:
        grid = table.grid()
        if not grid:
            continue
        hdr = _header_rows(table, grid)
        header_text = " ".join(c for row in grid[:hdr] for c in row) + " " + " ".join(
            row[0] for row in grid[hdr:]
        ) * 0
        caption = table.caption or ""
        body_cells = [c for row in grid[hdr:] for c in row[1:]]
        if any("%" in c for c in body_cells):
            continue
        found = _unit(header_text)
        if found is None:
            if any(p.search(header_text) or p.search(caption) for p in not_money):
                continue
            found = _unit(caption)
        if found is None:
            if not any(p.search(header_text) or p.search(caption) for p in money_words):
                continue
            near = previous and table.char_start - previous.table.char_end <= rules[
                "inherit_unit_within_chars"
            ]
            found = (previous.unit, previous.factor) if near and previous else ("kr", 1)
        mt = MoneyTable(
            table,
            found[0],
            found[1],
            hdr,
            [_column_label(grid, hdr, c) for c in range(table.n_cols)],
            [_row_label(row) for row in grid],
        )
        by_pos = {(c.row, c.col): c for c in table.cells}
        for r in range(hdr, table.n_rows):
            for c in range(table.n_cols):
                value = parse_cell_number(grid[r][c])
                if value is None or (c == 0 and mt.row_labels[r] is None and table.n_cols > 1):
                    continue
                mt.values[(r, c)] = int((value * mt.factor).to_integral_value())
                if (r, c) in by_pos:
                    mt.cells[(r, c)] = by_pos[(r, c)]
        if mt.values:
            out.append(mt)
            previous = mt
    return out


def is_total_row(label: str | None) -> bool:
    """Whether a row label names a total of the rows above (``Summa``, ``Totalt``, ``Totala …``)."""
    if not label:
        return False
    low = " ".join(label.lower().split())
    return any(re.search(p, low) for p in _rules()["total_rows"])


def is_total_column(label: str | None) -> bool:
    """Whether a column label names the row total (``Totalt``, ``Summa``)."""
    if not label:
        return False
    low = " ".join(label.lower().split())
    return any(re.search(p, low) for p in _rules()["total_columns"])


def column_year(label: str | None) -> str | None:
    """The year a column stands for (``År 2021`` → ``2021``), or None."""
    if not label:
        return None
    m = re.match(_rules()["year_column"], " ".join(label.split()), re.IGNORECASE)
    return m.group(1) if m else None


def _kind(doc: ParsedDocument, row_label: str | None, column_label: str | None) -> str:
    rules = _rules()
    if doc.metadata.doc_type == "ansokan":
        total = is_total_row(row_label) or is_total_column(column_label)
        return rules["application_total_kind"] if total else rules["application_kind"]
    low = (column_label or "").lower()
    for rule in rules["column_kinds"]:
        if any(re.search(p, low) for p in rule["patterns"]):
            return rule["kind"]
    if column_year(column_label):
        return "budget"
    return "other"


def _single_column_kind(mt: MoneyTable) -> str | None:
    """The kind a one-value-column table's caption, header and total rows name, if any."""
    if len({c for _, c in mt.values}) != 1:
        return None
    header = [c.text for c in mt.table.cells if c.row < mt.header_rows]
    totals = [label for label in mt.row_labels if label and is_total_row(label)]
    context = " ".join([mt.table.caption or "", *header, *totals]).lower()
    for rule in _rules()["single_column_table_kinds"]:
        if any(re.search(p, context) for p in rule["patterns"]):
            return rule["kind"]
    return None


def extract_table_amounts(doc: ParsedDocument) -> list[dict]:
    """One amount record per numeric cell of every money table of ``doc``."""
    out: list[dict[str, Any]] = []
    year = doc.metadata.year
    for mt in read_money_tables(doc):
        t = mt.table
        table_kind = None if doc.metadata.doc_type == "ansokan" else _single_column_kind(mt)
        for (r, c), value in sorted(mt.values.items()):
            cell = mt.cells.get((r, c))
            start = cell.char_start if cell and cell.char_start is not None else t.char_start
            end = cell.char_end if cell and cell.char_end is not None else t.char_end
            column_label = mt.column_labels[c]
            out.append(
                {
                    "char_start": start,
                    "char_end": end,
                    "raw_text": doc.text[start:end] if cell and cell.char_start is not None
                    else (cell.text if cell else ""),
                    "extractor": "table_rule",
                    "confidence": 0.9,
                    "value_sek": value,
                    "value_max_sek": None,
                    "unit": mt.unit,
                    "qualifier": None,
                    "kind": table_kind or _kind(doc, mt.row_labels[r], column_label),
                    "label": mt.row_labels[r],
                    "period": column_year(column_label) or (str(year) if year else None),
                    "source": "table",
                    "table_id": t.table_id,
                    "row_label": mt.row_labels[r],
                    "column_label": column_label,
                }
            )
    return out
