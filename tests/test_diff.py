"""Record-level diffs between two extractions of a document."""

from __future__ import annotations

import json

from fsfdocs.diff import diff_records, summarize


def _amount(rid: str, value: int, run: str = "r1") -> dict:
    return {"record_id": rid, "doc_id": "d", "value_sek": value, "label": "Personal",
            "run_id": run, "rules_version": run}


def test_added_removed_changed_keyed_by_record_id() -> None:
    before = [_amount("a", 100), _amount("b", 200), _amount("c", 300)]
    after = [_amount("a", 100, "r2"), _amount("b", 250, "r2"), _amount("d", 400, "r2")]
    d = diff_records("amounts", "d", before, after)
    assert [r["record_id"] for r in d.added] == ["d"]
    assert [r["record_id"] for r in d.removed] == ["c"]
    assert [(b["value_sek"], a["value_sek"]) for b, a in d.changed] == [(200, 250)]
    rows = d.rows("run9")
    assert {r["change"] for r in rows} == {"added", "removed", "changed"}
    changed = next(r for r in rows if r["change"] == "changed")
    assert json.loads(changed["before"])["value_sek"] == 200
    assert json.loads(changed["after"])["value_sek"] == 250
    assert "run_id" not in json.loads(changed["after"])  # bookkeeping is not content


def test_bookkeeping_only_is_no_change_and_summary_counts() -> None:
    same = diff_records("amounts", "d", [_amount("a", 1)], [_amount("a", 1, "r2")])
    assert same.empty
    d1 = diff_records("amounts", "d1", [_amount("a", 1)], [_amount("a", 2), _amount("b", 3)])
    d2 = diff_records("amounts", "d2", [_amount("x", 1)], [])
    assert summarize([same, d1, d2]) == {"amounts": "+1 −1 ~1 in 2 documents"}


def test_values_equal_only_in_plain_form_are_no_change() -> None:
    """A stored row and a fresh record may hold the same value in other types (NaN, tuple)."""
    stored = {**_amount("a", 1), "share": float("nan"), "pages": (1, 2)}
    fresh = {**_amount("a", 1, "r2"), "share": None, "pages": [1, 2]}
    assert diff_records("amounts", "d", [stored], [fresh]).empty
    moved = diff_records("amounts", "d", [stored], [{**fresh, "pages": [1, 3]}])
    assert [(b["pages"], a["pages"]) for b, a in moved.changed] == [([1, 2], [1, 3])]
