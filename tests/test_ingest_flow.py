"""End-to-end ingestion: real PDFs through the real Prefect flow into Parquet read by DuckDB."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from flows.ingest import run_ingest
from fsfdocs.discovery import sha256_of
from fsfdocs.store import Store
from tests.conftest import RAW_DIR, ROOT, TEST_DATA

pytestmark = pytest.mark.slow

TEXT_LAYER = [
    "ansokan-sociala-insatser-lokal-utveckling-2023.pdf",
    "finsam-ansokan-make-it-work-2020.pdf",
]
#: Random bytes larger than any good PDF here: the flow takes the largest file first, so the
#: run's first task holds this bad file and the scanned memo.
LARGE_BAD = "random-bytes-large.pdf"
BAD = sorted([*(p.name for p in (TEST_DATA / "bad").glob("*.pdf")), LARGE_BAD])


def _query(curated: Path, sql: str) -> list[tuple]:
    con = Store(curated).connect()
    return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Two text-layer PDFs, the scanned memo and every bad input, ingested once.

    Sized for one task slot, the run's first task holds the two largest files (a bad one and
    the scanned memo), so a bad document must not fail its batch.
    """
    root = tmp_path_factory.mktemp("ingest")
    raw = root / "raw"
    raw.mkdir()
    for name in [*TEXT_LAYER, "tjansteskrivelse-modell-overgang-daglig-verksamhet-2025.pdf"]:
        shutil.copy(RAW_DIR / name, raw / name)
    for name in BAD:
        if name != LARGE_BAD:
            shutil.copy(TEST_DATA / "bad" / name, raw / name)
    (raw / LARGE_BAD).write_bytes(random.Random(7).randbytes(1 << 20))
    paths = {"raw": raw, "curated": root / "curated", "interim": root / "interim"}
    summary = run_ingest(raw_dir=str(raw), curated_dir=str(paths["curated"]),
                         interim_dir=str(paths["interim"]), workers=2, slots=1)
    return {**paths, "summary": summary}


def test_every_good_document_is_ingested_with_metadata(ingested: dict) -> None:
    s = ingested["summary"]
    assert sorted(s.new) == sorted([*TEXT_LAYER,
                                    "tjansteskrivelse-modell-overgang-daglig-verksamhet-2025.pdf"])
    rows = _query(ingested["curated"], "SELECT file_name, doc_id, doc_type, year, text_source, "
                  "status, rules_version, run_id FROM documents ORDER BY file_name")
    by_name = {r[0]: r for r in rows}
    assert by_name[TEXT_LAYER[0]][2:5] == ("ansokan", 2023, "text_layer")
    assert by_name[TEXT_LAYER[1]][2:5] == ("ansokan", 2020, "text_layer")
    memo = by_name["tjansteskrivelse-modell-overgang-daglig-verksamhet-2025.pdf"]
    assert memo[2:5] == ("tjansteskrivelse", 2025, "ocr")
    assert by_name[TEXT_LAYER[0]][1] == sha256_of(ingested["raw"] / TEXT_LAYER[0])
    assert {r[5] for r in rows} == {"ok"} and len({r[7] for r in rows}) == 1
    assert s.ocr_pages >= 1 and s.pages > s.ocr_pages


def test_each_bad_file_has_an_error_row_and_fails_the_run(ingested: dict) -> None:
    s = ingested["summary"]
    assert not s.ok
    assert sorted(Path(f.source_path).name for f in s.failed) == BAD
    errors = _query(ingested["curated"], "SELECT source_path, sha256, stage, error_type, message, "
                    "occurred_at, run_id FROM errors")
    assert sorted(Path(e[0]).name for e in errors) == BAD
    for source, sha, stage, error_type, message, occurred, run_id in errors:
        assert Path(source).name in message  # the message names the file
        assert stage == "parse" and error_type and occurred and run_id == s.run_id
        if Path(source).name != "empty.pdf":
            assert sha == sha256_of(Path(source))


def test_curated_records_are_grounded_and_carry_the_run(ingested: dict) -> None:
    curated = ingested["curated"]
    s = ingested["summary"]
    total = _query(curated, "SELECT sum(value_sek) FROM amounts a JOIN documents d USING (doc_id)"
                   " WHERE d.file_name LIKE 'ansokan%' AND a.kind = 'requested_total'")
    assert total[0][0] and total[0][0] % 3_500_000 == 0
    bad = _query(curated, "SELECT count(*) FROM amounts WHERE page IS NULL OR char_end <= "
                 f"char_start OR run_id <> '{s.run_id}' OR rules_version IS NULL")
    assert bad == [(0,)]
    items = _query(curated, "SELECT item_no, requested_sek FROM funding_requests f JOIN documents "
                   "d USING (doc_id) WHERE d.file_name LIKE 'ansokan%' ORDER BY item_no")
    assert len(items) == 8 and sum(v for _, v in items) == 3_500_000
    runs = _query(curated, "SELECT flow, docs_new, docs_failed FROM runs")
    assert runs == [("ingest", 3, len(BAD))]


def test_second_run_adds_nothing(ingested: dict) -> None:
    curated = ingested["curated"]
    before = {t: _query(curated, f"SELECT count(*) FROM {t}")[0][0]
              for t in ("documents", "amounts", "legal_refs", "target_groups", "entities")}
    again = run_ingest(raw_dir=str(ingested["raw"]), curated_dir=str(curated),
                       interim_dir=str(ingested["interim"]), workers=2)
    assert again.new == [] and len(again.skipped) == 3
    after = {t: _query(curated, f"SELECT count(*) FROM {t}")[0][0] for t in before}
    assert after == before


def test_hanging_document_times_out_and_the_rest_is_ingested(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(TEST_DATA / "hang" / "slow-content.pdf", raw / "slow-content.pdf")
    shutil.copy(RAW_DIR / TEXT_LAYER[1], raw / TEXT_LAYER[1])
    # The hang input keeps the parser busy for 17 s on a fast host; the good PDF takes 1-3 s.
    s = run_ingest(raw_dir=str(raw), curated_dir=str(tmp_path / "c"),
                   interim_dir=str(tmp_path / "i"), workers=2, timeout_s=10)
    assert s.new == [TEXT_LAYER[1]]
    assert [(Path(f.source_path).name, f.stage) for f in s.failed] == [("slow-content.pdf",
                                                                         "timeout")]
    rows = duckdb.sql(
        f"SELECT stage, message FROM read_parquet('{tmp_path}/c/errors/**/*.parquet')"
    ).fetchall()
    assert rows[0][0] == "timeout" and "slow-content.pdf" in rows[0][1]


def test_cli_two_concurrent_ingests_end_with_the_rows_of_one(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW_DIR / TEXT_LAYER[1], raw / TEXT_LAYER[1])
    curated, interim = tmp_path / "curated", tmp_path / "interim"
    cmd = [sys.executable, "-m", "fsfdocs.cli", "ingest", "--raw", str(raw), "--curated",
           str(curated), "--interim", str(interim), "--workers", "1"]
    env = {**os.environ, "COLUMNS": "120"}
    procs = [subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    text = "".join(o[0] for o in outs)
    assert "Ingest run" in text  # the summary table
    assert _query(curated, "SELECT count(*), count(DISTINCT doc_id) FROM documents") == [(1, 1)]
    counts = _query(curated, "SELECT docs_new, docs_skipped FROM runs ORDER BY docs_new DESC")
    assert counts == [(1, 0), (0, 1)]  # one ingested it, the other waited and skipped it
    amounts = _query(curated, "SELECT count(*), count(DISTINCT record_id) FROM amounts")
    assert amounts[0][0] == amounts[0][1] > 0


def test_two_copies_of_one_file_in_one_run_are_ingested_once(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW_DIR / TEXT_LAYER[1], raw / "a-original.pdf")
    shutil.copy(RAW_DIR / TEXT_LAYER[1], raw / "b-copy.pdf")
    s = run_ingest(raw_dir=str(raw), curated_dir=str(tmp_path / "c"),
                   interim_dir=str(tmp_path / "i"), workers=1)
    assert s.ok and s.new == ["a-original.pdf"] and s.skipped == ["b-copy.pdf"]
    assert _query(tmp_path / "c", "SELECT file_name FROM documents") == [("a-original.pdf",)]
