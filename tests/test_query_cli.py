"""`fsfdocs query`, `tables`, `shell` and `compact` on a real store, via the CLI."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from fsfdocs.cli import app
from fsfdocs.store import Store

runner = CliRunner()


def _amount(doc_id: str, i: int, value: int, kind: str) -> dict:
    return {"record_id": f"{doc_id[:4]}{i}", "value_sek": value, "value_max_sek": None,
            "unit": "tkr", "kind": kind, "label": "Daglig verksamhet", "source": "table",
            "table_id": "t1", "row_label": "Daglig verksamhet", "column_label": "Avvikelse",
            "page": 1 + i, "section": None, "char_start": 100 * i, "char_end": 100 * i + 9,
            "raw_text": f"{value // 1000} tkr", "extractor": "table_rule", "confidence": 0.9}


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    store = Store(tmp_path / "curated")
    for n, (doc_type, values) in enumerate([("arsanalys", [-1_500_000, 250_000, 4_000]),
                                            ("ansokan", [850_000])]):
        doc_id = f"{n}" * 64
        tables = {
            "documents": [{"doc_id": doc_id, "file_name": f"{n}.pdf",
                           "source_path": f"raw/{n}.pdf", "page_count": 3,
                           "text_source": "text_layer", "status": "ok",
                           "ingested_at": datetime(2026, 1, 1, tzinfo=UTC)}],
            "amounts": [_amount(doc_id, i, v, "deviation") for i, v in enumerate(values)],
            "checks": [{"record_id": "c1", "check": "items_vs_total", "expected_sek": 10,
                        "actual_sek": 9, "passed": n == 1, "detail": "x", "page": 1,
                        "char_start": 0, "char_end": 2, "raw_text": "10",
                        "extractor": "rule", "confidence": 1.0}],
        }
        assert store.replace_document_rows(doc_id, doc_type, 2024, tables, run_id="r1") == []
    return tmp_path / "curated"


def invoke(*args: str, input: str | None = None):
    result = runner.invoke(app, list(args), input=input)
    assert result.exit_code == 0, result.output
    return result.output


def test_query_prints_a_readable_table(store_dir: Path) -> None:
    out = invoke("query", "SELECT doc_type, sum(value_sek) AS total FROM amounts "
                 "GROUP BY doc_type ORDER BY doc_type", "--curated", str(store_dir))
    assert "doc_type" in out and "total" in out
    assert "ansokan" in out and "850000" in out and "-1246000" in out
    assert "2 rows" in out


def test_query_writes_csv_json_and_parquet(store_dir: Path, tmp_path: Path) -> None:
    sql = 'SELECT c."check", c.passed, d.file_name FROM checks c JOIN documents d USING (doc_id) '
    sql += "ORDER BY d.file_name"
    out = invoke("query", sql, "--curated", str(store_dir), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["file_name"], r["passed"]) for r in rows] == [("0.pdf", "false"),
                                                            ("1.pdf", "true")]
    target = tmp_path / "out" / "checks.json"
    invoke("query", sql, "--curated", str(store_dir), "--format", "json", "--output",
           str(target))
    assert [r["passed"] for r in json.loads(target.read_text())] == [False, True]
    pq_target = tmp_path / "amounts.parquet"
    invoke("query", "SELECT * FROM amounts", "--curated", str(store_dir), "-f", "parquet",
           "-o", str(pq_target))
    data = pq.read_table(pq_target)
    assert data.num_rows == 4 and str(data.schema.field("value_sek").type) == "int64"


def test_bad_sql_is_a_clear_error(store_dir: Path) -> None:
    result = runner.invoke(app, ["query", "SELECT nope FROM amounts", "--curated",
                                 str(store_dir)])
    assert result.exit_code == 2 and "SQL error" in result.output


def test_tables_lists_counts_and_columns_also_for_a_fresh_store(store_dir: Path,
                                                                tmp_path: Path) -> None:
    out = invoke("tables", "--curated", str(store_dir))
    lines = {line.split("│")[1].strip(): line for line in out.splitlines() if "│" in line}
    assert lines["amounts"].split("│")[2].strip() == "4"
    assert lines["runs"].split("│")[2].strip() == "0"
    out = invoke("tables", "--curated", str(tmp_path / "fresh"))
    assert "extraction_diffs" in out and "value_sek" in out
    out = invoke("query", "SELECT count(*) AS n FROM funding_requests", "--curated",
                 str(tmp_path / "fresh"))
    assert " 0 " in out


def test_shell_reads_statements_and_dot_commands_from_stdin(store_dir: Path) -> None:
    script = ".tables\nSELECT count(*) AS n_amounts\n  FROM amounts;\n.schema checks\n.quit\n"
    out = invoke("shell", "--curated", str(store_dir), input=script)
    assert "amounts" in out and "n_amounts" in out and " 4 " in out
    assert "passed" in out and "BOOLEAN" in out


def test_shell_as_a_process_with_piped_input(store_dir: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "fsfdocs.cli", "shell", "--curated", str(store_dir)],
        input="SELECT doc_type, count(*) AS n FROM documents GROUP BY 1 ORDER BY 1;\n",
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "ansokan" in proc.stdout and "arsanalys" in proc.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "fsfdocs.cli", "shell", "--curated", str(store_dir)],
        input="SELECT * FROM no_such_table;\n", capture_output=True, text=True, timeout=120,
    )
    assert bad.returncode == 1 and "no_such_table" in bad.stdout


def test_compact_command_merges_files_and_keeps_rows(store_dir: Path) -> None:
    store = Store(store_dir)
    doc_id = "9" * 64  # a second årsanalys: two files in one partition to merge
    assert store.replace_document_rows(doc_id, "arsanalys", 2023, {
        "amounts": [_amount(doc_id, i, 1000 * i, "budget") for i in range(3)]}, run_id="r2") == []
    assert len(store.table_files("amounts")) == 3
    before = invoke("query", "SELECT * FROM amounts ORDER BY record_id", "--curated",
                    str(store_dir), "-f", "csv")
    invoke("compact", "--curated", str(store_dir))
    after = invoke("query", "SELECT * FROM amounts ORDER BY record_id", "--curated",
                   str(store_dir), "-f", "csv")
    assert after == before and len(after.splitlines()) == 8
    assert len(store.table_files("amounts")) == 2
