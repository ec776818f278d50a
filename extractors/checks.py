"""Sum checks: every verifiable sum of a document, recomputed. A failed check is data.

- ``items_vs_total``: funding items vs each stated requested total;
- ``cost_lines_vs_item``: an item's cost lines vs its stated requested amount;
- ``table_rows_vs_total``: rows of a money table vs its ``Summa``/``Totalt``/``Totala …`` row
  (the rows since the previous total row);
- ``year_columns_vs_total``: year columns of a row vs the row's ``Totalt`` column.
"""

from __future__ import annotations

from typing import Any

from extractors.tables import (
    MoneyTable,
    column_year,
    is_total_column,
    is_total_row,
    read_money_tables,
)
from fsfdocs.model import ParsedDocument


def _check(name: str, expected: int, actual: int, detail: str, doc: ParsedDocument,
           start: int, end: int) -> dict[str, Any]:
    return {
        "check": name,
        "expected_sek": int(expected),
        "actual_sek": int(actual),
        "passed": int(expected) == int(actual),
        "detail": detail,
        "char_start": start,
        "char_end": end,
        "raw_text": doc.text[start:end],
        "extractor": "rule",
        "confidence": 1.0,
    }


def _cell_span(mt: MoneyTable, r: int, c: int) -> tuple[int, int]:
    cell = mt.cells.get((r, c))
    if cell and cell.char_start is not None and cell.char_end is not None:
        return cell.char_start, cell.char_end
    return mt.table.char_start, mt.table.char_end


def _funding_checks(doc: ParsedDocument, amounts: list[dict], items: list[dict]) -> list[dict]:
    out = []
    if len(items) > 1:
        total = sum(i["requested_sek"] for i in items)
        for a in amounts:
            if a["kind"] == "requested_total":
                out.append(_check(
                    "items_vs_total", a["value_sek"], total,
                    f"{len(items)} items: " + " + ".join(str(i["requested_sek"]) for i in items),
                    doc, a["char_start"], a["char_end"],
                ))
    for item in items:
        if not item["cost_lines"]:
            continue
        stated = [
            a for a in amounts
            if item["char_start"] <= a["char_start"] < item["char_end"]
            and a["value_sek"] == item["requested_sek"]
            and (a["kind"] == "requested_item"
                 or (a["source"] == "table" and is_total_row(a["row_label"])
                     and is_total_column(a["column_label"])))
        ]
        if not stated:
            continue  # the requested amount is itself the sum of the cost lines
        actual = sum(c["amount_sek"] for c in item["cost_lines"])
        out.append(_check(
            "cost_lines_vs_item", item["requested_sek"], actual,
            f"item {item['item_no']}: {len(item['cost_lines'])} cost lines",
            doc, stated[-1]["char_start"], stated[-1]["char_end"],
        ))
    return out


def _table_checks(doc: ParsedDocument, mt: MoneyTable) -> list[dict]:
    out = []
    t = mt.table
    value_cols = sorted({c for _, c in mt.values})
    # rows vs total rows, per column: the rows since the previous total row
    block_start = mt.header_rows
    for r in range(mt.header_rows, t.n_rows):
        if not is_total_row(mt.row_labels[r]):
            continue
        rows = [x for x in range(block_start, r) if any((x, c) in mt.values for c in value_cols)]
        for c in value_cols:
            if (r, c) not in mt.values or not rows:
                continue
            actual = sum(mt.values.get((x, c), 0) for x in rows)
            s, e = _cell_span(mt, r, c)
            out.append(_check(
                "table_rows_vs_total", mt.values[(r, c)], actual,
                f"{t.table_id} '{mt.row_labels[r]}' / '{mt.column_labels[c]}': {len(rows)} rows",
                doc, s, e,
            ))
        block_start = r + 1
    # year columns vs the total column, per row
    years = [c for c in value_cols if column_year(mt.column_labels[c])]
    totals = [c for c in value_cols if is_total_column(mt.column_labels[c])]
    if len(years) >= 2 and len(totals) == 1:
        tc = totals[0]
        for r in range(mt.header_rows, t.n_rows):
            if (r, tc) not in mt.values:
                continue
            actual = sum(mt.values.get((r, c), 0) for c in years)
            s, e = _cell_span(mt, r, tc)
            out.append(_check(
                "year_columns_vs_total", mt.values[(r, tc)], actual,
                f"{t.table_id} '{mt.row_labels[r]}': {len(years)} year columns",
                doc, s, e,
            ))
    return out


def extract_checks(
    doc: ParsedDocument, amounts: list[dict], funding_requests: list[dict]
) -> list[dict]:
    """Every sum check of ``doc``: funding sums and money-table sums."""
    out = _funding_checks(doc, amounts, funding_requests)
    for mt in read_money_tables(doc):
        out.extend(_table_checks(doc, mt))
    return out
