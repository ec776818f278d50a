"""What changed between two extractions of one document: added, removed and changed records."""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

#: Columns that say who wrote a record and when, not what it says; never a change.
BOOKKEEPING = frozenset(
    {"run_id", "rules_version", "pipeline_version", "ingested_at", "doc_type", "year",
     "last_seen", "first_seen"}
)


def _plain(value: Any) -> Any:
    """A JSON-friendly, comparable form of a Parquet/pyarrow value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return _plain(value.tolist())
    return value


def comparable(record: dict[str, Any]) -> dict[str, Any]:
    """The record without bookkeeping columns, with values in plain Python form."""
    return {k: _plain(v) for k, v in sorted(record.items()) if k not in BOOKKEEPING}


@dataclass
class TableDiff:
    """The changes in one table of one document."""

    table: str
    doc_id: str
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def rows(self, run_id: str) -> list[dict[str, Any]]:
        """``extraction_diffs`` records: one per added, removed or changed record."""
        out = []

        def row(change: str, key: str, before: Any, after: Any) -> dict[str, Any]:
            return {
                "run_id": run_id, "doc_id": self.doc_id, "table": self.table, "change": change,
                "record_key": key,
                "before": None if before is None else json.dumps(before, ensure_ascii=False),
                "after": None if after is None else json.dumps(after, ensure_ascii=False),
            }

        out += [row("added", r["record_id"], None, r) for r in self.added]
        out += [row("removed", r["record_id"], r, None) for r in self.removed]
        out += [row("changed", a["record_id"], b, a) for b, a in self.changed]
        return out


def diff_records(
    table: str, doc_id: str, before: list[dict[str, Any]], after: list[dict[str, Any]]
) -> TableDiff:
    """Compare two extractions of one table of one document, keyed by ``record_id``."""
    old = {r["record_id"]: r for r in before}
    new = {r["record_id"]: r for r in after}
    out = TableDiff(table, doc_id)
    out.added = [comparable(new[k]) for k in new if k not in old]
    out.removed = [comparable(old[k]) for k in old if k not in new]
    for k in new:
        if k in old and _content(old[k]) != _content(new[k]):  # equal as they are: no converting
            b, a = comparable(old[k]), comparable(new[k])
            if b != a:
                out.changed.append((b, a))
    return out


def _content(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in BOOKKEEPING}


def summarize(diffs: list[TableDiff]) -> dict[str, str]:
    """Per table: ``+added −removed ~changed in N documents`` (tables with changes only)."""
    counts: dict[str, Counter[str]] = {}
    docs: dict[str, set[str]] = {}
    for d in diffs:
        if d.empty:
            continue
        c = counts.setdefault(d.table, Counter())
        c["+"] += len(d.added)
        c["-"] += len(d.removed)
        c["~"] += len(d.changed)
        docs.setdefault(d.table, set()).add(d.doc_id)
    return {
        t: f"+{c['+']} −{c['-']} ~{c['~']} in {len(docs[t])} document"
        + ("" if len(docs[t]) == 1 else "s")
        for t, c in sorted(counts.items())
    }
