"""Funding-request items of an application: one record per item applied for.

An application with numbered top-level sections each ending in ``Summa ansökta medel`` gives one
item per section; an application with one budget (a FINSAM project) gives one item whose amount
is the budget's total and whose cost lines are the budget's rows.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Any

from extractors.rules_loader import load_rules
from extractors.sections import Section
from extractors.tables import is_total_column, is_total_row
from fsfdocs.model import ParsedDocument

NOT_APPLICATIONS = ("arsanalys", "tjansteskrivelse")


def _rules() -> dict[str, Any]:
    return load_rules("funding.yaml")


def _months() -> dict[str, int]:
    return load_rules("amounts.yaml")["months"]


def _unit(text: str) -> str | None:
    for p in _rules()["unit_patterns"]:
        m = re.search(p, text, re.IGNORECASE | re.DOTALL)
        if m:
            return " ".join(m.group(1).split()).rstrip(" .")
    return None


def _period_of(amounts: list[dict], text: str) -> tuple[date | None, date | None]:
    """Period from explicit start/end dates, else from the periods of the item's amounts."""
    months = _months()
    rules = _rules()
    dates: list[date | None] = []
    for key in ("start_date", "end_date"):
        m = re.search(rules[key], text, re.IGNORECASE)
        month = months.get(m.group(2).lower()) if m else None
        dates.append(date(int(m.group(3)), month, int(m.group(1))) if m and month else None)
    if dates[0] or dates[1]:
        return dates[0], dates[1]
    starts, ends = [], []
    for a in amounts:
        per = a.get("period") or ""
        m = re.fullmatch(r"(\d{4})-(\d{2})/(\d{4})-(\d{2})", per)
        if m:
            y1, m1, y2, m2 = map(int, m.groups())
            starts.append(date(y1, m1, 1))
            ends.append(date(y2, m2, calendar.monthrange(y2, m2)[1]))
    return (min(starts), max(ends)) if starts else (None, None)


def _record(
    item_no: int, title: str, requested: int, start: int, end: int, doc: ParsedDocument,
    amounts: list[dict], cost_lines: list[dict[str, Any]],
) -> dict[str, Any]:
    text = doc.text[start:end]
    period_start, period_end = _period_of(amounts, text)
    return {
        "item_no": item_no,
        "title": title,
        "requested_sek": requested,
        "period_start": period_start,
        "period_end": period_end,
        "unit": _unit(text),
        "lss_insatser": [],
        "target_groups": [],
        "cost_lines": cost_lines,
        "char_start": start,
        "char_end": end,
        "raw_text": " ".join(text[:200].split()),
        "extractor": "rule",
        "confidence": 0.9,
    }


def _section_items(
    doc: ParsedDocument, amounts: list[dict], sections: list[Section]
) -> list[dict]:
    items = []
    for sec in sections:
        if sec.level != 1 or not sec.section_no or not sec.section_no.isdigit():
            continue
        inside = [a for a in amounts if sec.char_start <= a["char_start"] < sec.char_end]
        requested = [a for a in inside if a["kind"] == "requested_item"]
        if not requested:
            continue
        costs = [
            {"label": a["label"], "amount_sek": a["value_sek"]}
            for a in inside
            if a["kind"] == "cost_line" and a["source"] == "text"
        ]
        items.append(
            _record(int(sec.section_no), sec.title, requested[-1]["value_sek"], sec.char_start,
                    sec.char_end, doc, inside, costs)
        )
    return items


def _title(doc: ParsedDocument) -> str:
    title = doc.metadata.title or next((ln.text for ln in doc.lines if ln.text.strip()), "")
    title = " ".join(title.split())
    for p in _rules()["title_prefixes"]:
        title = re.sub(rf"^{p}", "", title, flags=re.IGNORECASE)
    return title


def _budget_item(doc: ParsedDocument, amounts: list[dict]) -> list[dict]:
    """One item for a whole-project application: its budget table's total, or its cost lines."""
    table_cells = [a for a in amounts if a["source"] == "table"]
    grand = [
        a
        for a in table_cells
        if is_total_row(a["row_label"]) and is_total_column(a["column_label"])
    ]
    if grand:
        tid = grand[-1]["table_id"]
        rows = [
            a for a in table_cells
            if a["table_id"] == tid and is_total_column(a["column_label"])
            and not is_total_row(a["row_label"])
        ]
        costs = [{"label": a["row_label"], "amount_sek": a["value_sek"]} for a in rows]
        requested = grand[-1]["value_sek"]
    else:
        lines = [a for a in amounts if a["kind"] == "cost_line" and a["source"] == "text"]
        if not lines:
            return []
        costs = [{"label": a["label"], "amount_sek": a["value_sek"]} for a in lines]
        requested = sum(c["amount_sek"] for c in costs)
    return [_record(1, _title(doc), requested, 0, len(doc.text), doc, amounts, costs)]


def extract_funding_requests(
    doc: ParsedDocument, amounts: list[dict], sections: list[Section]
) -> list[dict]:
    """The items an application requests money for (empty for other document types)."""
    if doc.metadata.doc_type in NOT_APPLICATIONS:
        return []
    items = _section_items(doc, amounts, sections)
    if items:
        return items
    if doc.metadata.doc_type != "ansokan":
        return []
    return _budget_item(doc, amounts)
