"""The schemas are the contract: every table defined, validation strict, dictionary current."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone

import pyarrow as pa
import pytest

from schemas import DOCUMENT_TABLES, LOG_TABLES, SCHEMAS, TABLE_SPECS, validate, vocabularies
from schemas.docs import DICTIONARY_PATH, render

GROUNDING = ["doc_id", "record_id", "page", "section", "char_start", "char_end", "raw_text",
             "extractor", "confidence", "run_id", "rules_version"]


def amount(**over) -> dict:
    rec = {"doc_id": "d" * 64, "record_id": "r1", "value_sek": 1_250_000, "kind": "budget",
           "source": "text", "page": 2, "char_start": 10, "char_end": 22,
           "raw_text": "1 250 tkr", "extractor": "amount_rule", "confidence": 0.9,
           "doc_type": "arsanalys", "year": 2024, "run_id": "run-1"}
    rec.update(over)
    return rec


def test_every_curated_table_is_defined_with_documented_columns() -> None:
    assert set(SCHEMAS) == {"documents", "sections", "amounts", "legal_refs", "target_groups",
                            "entities", "funding_requests", "checks", "errors", "runs",
                            "extraction_diffs"}
    assert set(DOCUMENT_TABLES) | set(LOG_TABLES) == set(SCHEMAS)
    for name in ("sections", "amounts", "legal_refs", "target_groups", "entities",
                 "funding_requests", "checks"):
        assert set(GROUNDING) <= set(SCHEMAS[name].names), name
    for spec in TABLE_SPECS.values():
        for col in spec.columns:
            assert col.description and col.example is not None, f"{spec.name}.{col.name}"
    field = SCHEMAS["amounts"].field("value_sek")
    assert field.type == pa.int64() and not field.nullable
    assert field.metadata[b"unit"] == b"SEK"
    assert SCHEMAS["funding_requests"].field("cost_lines").type == pa.list_(
        pa.struct([("label", pa.string()), ("amount_sek", pa.int64())]))
    assert "daglig_verksamhet" in vocabularies()["insats"]


def test_valid_records_build_a_typed_table() -> None:
    table, errors = validate("amounts", [amount(), amount(record_id="r2", value_max_sek=None,
                                                          confidence=1)])
    assert errors == []
    assert table.schema.equals(SCHEMAS["amounts"])
    assert table.column("value_sek").to_pylist() == [1_250_000, 1_250_000]


def test_dates_and_timestamps_accept_iso_text_and_become_utc() -> None:
    cet = timezone(timedelta(hours=1))
    table, errors = validate("runs", [{
        "run_id": "r", "flow": "ingest", "started_at": datetime(2026, 1, 2, 10, tzinfo=cet),
        "finished_at": "2026-01-02T10:05:00+00:00", "docs_new": 1, "docs_skipped": 0,
        "docs_failed": 0}])
    assert errors == []
    assert table.column("started_at").to_pylist()[0] == datetime(2026, 1, 2, 9, tzinfo=UTC)
    fr, errors = validate("funding_requests", [{
        **{k: v for k, v in amount().items() if k in SCHEMAS["funding_requests"].names},
        "item_no": 1, "title": "Aktivitet", "period_start": "2023-09-01",
        "period_end": date(2023, 12, 31), "cost_lines": [{"label": "Lön", "amount_sek": 5}]}])
    assert errors == []
    assert fr.column("period_start").to_pylist() == [date(2023, 9, 1)]


@pytest.mark.parametrize(("change", "column", "message"), [
    ({"value_sek": "1 250 000"}, "value_sek", "expected an integer"),
    ({"value_sek": 12.5}, "value_sek", "expected an integer"),
    ({"value_sek": True}, "value_sek", "expected an integer"),
    ({"value_sek": 2**63}, "value_sek", "does not fit"),
    ({"kind": "budgeted"}, "kind", "vocabulary"),
    ({"confidence": 1.5}, "confidence", "above the maximum"),
    ({"page": 0}, "page", "below the minimum"),
    ({"raw_text": None}, "raw_text", "required"),
    ({"char_end": 5}, "char_end", "char_end < char_start"),
    ({"amount_kr": 5}, None, "unknown columns ['amount_kr']"),
])
def test_a_misfit_is_reported_and_no_table_is_built(change, column, message) -> None:
    table, errors = validate("amounts", [amount(), amount(record_id="bad", **change)])
    assert table is None
    assert len(errors) == 1
    err = errors[0]
    assert (err.index, err.column, err.record_id) == (1, column, "bad")
    assert message in err.message and "amounts[1]" in str(err)


def test_list_and_struct_columns_are_checked_inside() -> None:
    base = {k: v for k, v in amount().items() if k in SCHEMAS["funding_requests"].names}
    _, errors = validate("funding_requests", [{**base, "item_no": 1, "title": "x",
                                               "cost_lines": [{"label": "Lön", "sek": 5}]}])
    assert "unknown keys" in errors[0].message
    _, errors = validate("funding_requests", [{**base, "item_no": 1, "title": "x",
                                               "target_groups": "autism"}])
    assert errors[0].column == "target_groups" and "expected a list" in errors[0].message


def test_data_dictionary_is_current() -> None:
    assert DICTIONARY_PATH.read_text(encoding="utf-8") == render(), (
        "docs/DATA_DICTIONARY.md is stale: run `python -m schemas.docs`")
    text = render()
    for name, spec in TABLE_SPECS.items():
        assert f"## {name}" in text
        for col in spec.columns:
            assert f"| `{col.name}` |" in text


def test_dictionary_check_command_fails_when_stale(tmp_path) -> None:
    stale = tmp_path / "DD.md"
    stale.write_text("old", encoding="utf-8")
    cmd = [sys.executable, "-m", "schemas.docs", "--check", "--output", str(stale)]
    assert subprocess.run(cmd, capture_output=True).returncode == 1
    subprocess.run(cmd[:3] + ["--output", str(stale)], check=True, capture_output=True)
    assert subprocess.run(cmd, capture_output=True).returncode == 0
