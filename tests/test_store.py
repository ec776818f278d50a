"""The curated Parquet store: real files written, read back by DuckDB, pandas and polars."""

from __future__ import annotations

import multiprocessing as mp
import random
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from flows.ingest import earliest_first_seen
from fsfdocs.store import Store, StoreLockTimeout, layout
from schemas import DOCUMENT_TABLES, SCHEMA_VERSION, SCHEMAS

KINDS = ["budget", "outcome", "deviation", "requested_item", "cost_line", "other"]
UNITS = ["kr", "tkr", "mnkr", None]


def make_doc(doc_id: str, n_amounts: int = 20, seed: int = 0,
             source_path: str | None = None) -> dict[str, list[dict]]:
    """Records of one document shaped like the extraction pipeline's output."""
    rnd = random.Random(seed)
    pos = 0

    def span(text: str) -> dict:
        nonlocal pos
        start = pos
        pos += len(text) + rnd.randint(5, 80)
        return {"char_start": start, "char_end": start + len(text), "raw_text": text,
                "page": 1 + start // 3000, "section": rnd.choice([None, "1.3 Aktiviteter"])}

    def rid(table: str, i: int) -> str:
        return f"{table[:3]}{seed:04d}{i:05d}"

    amounts = []
    for i in range(n_amounts):
        value = rnd.randint(1, 90_000) * 1000
        tabular = rnd.random() < 0.6
        amounts.append({
            "doc_id": doc_id, "record_id": rid("amounts", i), **span(f"{value // 1000} tkr"),
            "value_sek": value,
            "value_max_sek": value + 1000 if rnd.random() < 0.1 else None,
            "unit": rnd.choice(UNITS), "qualifier": rnd.choice([None, "cirka", "totalt"]),
            "kind": rnd.choice(KINDS), "label": rnd.choice(["Daglig verksamhet", "Boende"]),
            "period": rnd.choice([None, "2024", "2023-09/2023-12"]),
            "source": "table" if tabular else "text",
            "table_id": "t1" if tabular else None,
            "row_label": "Daglig verksamhet" if tabular else None,
            "column_label": "Budget" if tabular else None,
            "extractor": "table_rule" if tabular else "amount_rule", "confidence": 0.9,
        })
    return {
        "documents": [{
            "doc_id": doc_id, "file_name": f"{doc_id[:8]}.pdf",
            "source_path": source_path or f"data/raw/{doc_id[:8]}.pdf", "title": "Årsanalys",
            "page_count": 12, "text_source": "text_layer", "ocr_pages": 0, "status": "ok",
            "diarienummer": None, "document_date": "2025-02-11", "organisation": None,
            "pipeline_version": "0.1.0", "ingested_at": datetime(2026, 1, 2, tzinfo=UTC),
            "first_seen": datetime(2026, 1, 1, tzinfo=UTC), "last_seen": None,
        }],
        "sections": [{"doc_id": doc_id, "record_id": rid("sections", 0), **span("1.3 Aktiviteter"),
                      "section_no": "1.3", "title": "Aktiviteter", "level": 2, "parent_no": "1",
                      "extractor": "rule", "confidence": 1.0}],
        "amounts": amounts,
        "legal_refs": [{"doc_id": doc_id, "record_id": rid("legal_refs", 0), **span("9 § 10 LSS"),
                        "law": "LSS", "statute": None, "chapter": None, "paragraph": "9",
                        "point": "10", "canonical": "LSS 9 § 10", "kind": "explicit",
                        "insats": "daglig_verksamhet", "extractor": "lss_rule",
                        "confidence": 0.95}],
        "funding_requests": [{
            "doc_id": doc_id, "record_id": rid("funding_requests", 0), **span("Aktivitet 1"),
            "item_no": 1, "title": "Aktivitet 1", "requested_sek": None,
            "period_start": date(2023, 9, 1), "period_end": "2023-12-31", "unit": None,
            "lss_insatser": ["daglig_verksamhet"], "target_groups": [],
            "cost_lines": [{"label": "Lön", "amount_sek": 240_000}],
            "extractor": "rule", "confidence": 0.8,
        }],
    }


def write(store: Store, doc_id: str, doc_type: str = "arsanalys", year: int | None = 2024,
          run_id: str = "run-1", **kw) -> list[str]:
    return store.replace_document_rows(doc_id, doc_type, year, make_doc(doc_id, **kw),
                                       run_id=run_id, rules_version="rv1")


def sql(store: Store, query: str) -> list[tuple]:
    con = store.connect()
    return con.sql(query).fetchall()


def keys(table: str) -> list[tuple[str, str]]:
    """Sort keys that order a table's rows completely."""
    names = ["doc_id"] + (["record_id"] if "record_id" in SCHEMAS[table].names else [])
    return [(n, "ascending") for n in names]


def raw_read(store: Store, table: str, extra: str = "") -> list[tuple]:
    """Rows as the documented glob reads them, without the store's own code."""
    glob = f"{store.root}/{table}/**/*.parquet"
    return duckdb.sql(f"SELECT doc_id, run_id FROM read_parquet('{glob}', "
                      f"hive_partitioning = true) {extra} ORDER BY ALL").fetchall()


def test_written_rows_read_back_by_duckdb_pandas_and_polars(tmp_path: Path) -> None:
    store = Store(tmp_path)
    assert write(store, "a" * 64, n_amounts=30) == []
    assert write(store, "b" * 64, doc_type="ansokan", year=None, n_amounts=5, seed=1) == []

    assert sql(store, "SELECT doc_type, year, count(*) FROM amounts GROUP BY ALL ORDER BY 1") == [
        ("ansokan", None, 5), ("arsanalys", 2024, 30)]
    assert len(raw_read(store, "amounts")) == 35
    row = sql(store, "SELECT cost_lines[1].amount_sek, period_start, lss_insatser "
                     "FROM funding_requests WHERE doc_id = 'bbbb' || repeat('b', 60)")
    assert row == [(240_000, date(2023, 9, 1), ["daglig_verksamhet"])]

    import fsfdocs

    df = fsfdocs.read_table("amounts", curated=tmp_path, engine="pandas")
    assert len(df) == 35
    assert str(df["value_max_sek"].dtype) == "Int64" and df["value_max_sek"].isna().any()
    assert str(df["value_sek"].dtype) == "Int64"
    assert str(df["doc_type"].dtype) == "string"
    pl_df = fsfdocs.read_table("funding_requests", curated=tmp_path, engine="polars")
    assert pl_df.height == 2 and str(pl_df.schema["requested_sek"]) == "Int64"
    assert pl_df["requested_sek"].null_count() == 2

    meta = pq.read_schema(store.table_files("amounts")[0]).metadata
    assert meta[b"fsfdocs.schema_version"] == SCHEMA_VERSION.encode()
    assert meta[b"fsfdocs.table"] == b"amounts"


def test_replacing_a_document_never_duplicates_rows(tmp_path: Path) -> None:
    store = Store(tmp_path)
    write(store, "a" * 64, n_amounts=30)
    first = store.read("amounts").sort_by("record_id")
    write(store, "a" * 64, n_amounts=30, run_id="run-2")
    again = store.read("amounts").sort_by("record_id")
    assert again.num_rows == 30
    assert again.drop(["run_id"]).equals(first.drop(["run_id"]))
    assert set(again.column("run_id").to_pylist()) == {"run-2"}
    write(store, "a" * 64, n_amounts=12, run_id="run-3")  # fewer rows now: old ones go
    assert store.read("amounts").num_rows == 12
    assert len(store.table_files("amounts")) == 1


def test_document_changing_doc_type_and_year_moves_all_its_rows(tmp_path: Path) -> None:
    store = Store(tmp_path)
    write(store, "a" * 64, doc_type="ovrigt", year=None)
    write(store, "c" * 64, doc_type="ovrigt", year=None, seed=3)
    store.compact()
    # Re-extraction may pass only some tables: the others must move with the document.
    only_amounts = {"amounts": make_doc("a" * 64)["amounts"]}
    assert store.replace_document_rows("a" * 64, "arsanalys", 2024, only_amounts,
                                       run_id="run-2") == []
    for table in ("amounts", "documents", "sections", "legal_refs", "funding_requests"):
        got = sql(store, f"SELECT DISTINCT doc_type, year FROM {table} WHERE doc_id = "
                         f"'{'a' * 64}'")
        assert got == [("arsanalys", 2024)], table
        assert len(raw_read(store, table, f"WHERE doc_id = '{'a' * 64}'")) == len(
            make_doc("a" * 64)[table]), table
    assert sql(store, "SELECT count(*) FROM amounts WHERE doc_type = 'ovrigt'") == [(20,)]


def test_compaction_keeps_every_row_and_replace_still_works(tmp_path: Path) -> None:
    store = Store(tmp_path)
    for i in range(6):
        write(store, f"{i:064d}", doc_type=["ansokan", "arsanalys"][i % 2], seed=i,
              n_amounts=10 + i)
    before = {t: store.read(t) for t in DOCUMENT_TABLES}
    stats = store.compact()
    assert stats["amounts"] == (6, 2)  # one part file per doc_type partition
    for table, data in before.items():
        after = store.read(table)
        assert after.sort_by(keys(table)).equals(data.sort_by(keys(table))), table
    assert store.known_doc_ids() == {f"{i:064d}" for i in range(6)}

    # Re-ingesting a document whose rows sit in a compacted file replaces them there.
    write(store, f"{2:064d}", doc_type="ansokan", n_amounts=3, seed=2, run_id="run-2")
    assert sql(store, f"SELECT count(*) FROM amounts WHERE doc_id = '{2:064d}'") == [(3,)]
    assert sql(store, "SELECT count(*) FROM amounts")[0][0] == sum(10 + i for i in range(6)) - 9
    store.delete_document(f"{4:064d}")
    assert f"{4:064d}" not in store.known_doc_ids()
    assert sql(store, f"SELECT count(*) FROM sections WHERE doc_id = '{4:064d}'") == [(0,)]


def test_schema_violation_is_reported_and_nothing_is_written(tmp_path: Path) -> None:
    store = Store(tmp_path)
    write(store, "a" * 64, n_amounts=5)
    bad = make_doc("a" * 64, n_amounts=8)
    bad["amounts"][3]["value_sek"] = "12 000"  # text where SEK must be an integer
    bad["legal_refs"][0]["insats"] = "hemtjanst"  # not in the insats vocabulary
    errors = store.replace_document_rows("a" * 64, "arsanalys", 2024, bad, run_id="run-2")
    assert any("amounts[3]" in e and "value_sek" in e for e in errors)
    assert any("insats" in e and "vocabulary" in e for e in errors)
    # The old rows are intact in every table, nothing of the new batch landed.
    assert sql(store, "SELECT count(*), min(run_id) FROM amounts") == [(5, "run-1")]
    assert sql(store, "SELECT stage, error_type, sha256 FROM errors") == [
        ("validate", "SchemaError", "a" * 64)]
    assert store.append("runs", [{"run_id": "x", "flow": "ingest"}])  # missing columns
    assert sql(store, "SELECT count(*) FROM runs") == [(0,)]
    assert sql(store, "SELECT count(*) FROM errors") == [(2,)]


def test_fresh_store_has_typed_empty_views(tmp_path: Path) -> None:
    store = Store(tmp_path / "nothing-yet")
    con = store.connect()
    for table, schema in SCHEMAS.items():
        rel = con.sql(f'SELECT * FROM "{table}"')
        assert rel.columns == schema.names and rel.fetchall() == []
        assert store.read(table).schema.names == schema.names
    assert store.known_doc_ids() == set()


def test_temp_files_and_interrupted_commits_are_never_read(tmp_path: Path) -> None:
    store = Store(tmp_path)
    write(store, "a" * 64)
    # A writer killed before its rename leaves a complete-looking file in _tmp: never read.
    tmp = store._write_tmp(store.read("amounts"))
    assert (tmp_path / tmp).is_file()
    assert len(raw_read(store, "amounts")) == 20
    # A writer killed between journal and renames: the next lock holder rolls it forward.
    new = store._write_tmp(store.read("amounts").slice(0, 4))
    target = layout.doc_file("amounts", "arsanalys", "a" * 64)
    store.fs.write_json(f"{layout.JOURNAL_DIR}/crashed.json",
                        {"moves": [[new, target]], "deletes": []})
    with store.lock(timeout_s=5):
        pass
    assert store.read("amounts").num_rows == 4
    assert not list((tmp_path / layout.TMP_DIR).iterdir())
    assert not list((tmp_path / layout.JOURNAL_DIR).iterdir())


def test_versions_of_one_path_and_first_seen(tmp_path: Path) -> None:
    store = Store(tmp_path)
    write(store, "a" * 64, source_path="data/raw/x.pdf")
    write(store, "b" * 64, source_path="data/raw/x.pdf", seed=1)
    versions = store.versions_by_path()
    first = datetime(2026, 1, 1, tzinfo=UTC)
    assert versions == {"data/raw/x.pdf": {"a" * 64: first, "b" * 64: first}}
    assert earliest_first_seen(versions["data/raw/x.pdf"]) == first
    assert earliest_first_seen({}) is None  # a path never seen before
    # Given the versions read at the start of a run, or reading them itself: the same result.
    assert store.retire_other_versions("data/raw/x.pdf", keep_doc_id="b" * 64,
                                       versions=versions) == ["a" * 64]
    assert store.known_doc_ids() == {"b" * 64}
    assert sql(store, "SELECT DISTINCT doc_id FROM amounts") == [("b" * 64,)]
    write(store, "c" * 64, source_path="data/raw/x.pdf", seed=2)
    assert store.retire_other_versions("data/raw/x.pdf", keep_doc_id="c" * 64) == ["b" * 64]
    assert store.known_doc_ids() == {"c" * 64}


def _ingest_like(root: str, start: mp.synchronize.Event, n_docs: int) -> None:
    """What an ingest run does with the store: skip known documents, write the others."""
    store = Store(root)
    start.wait(10)
    with store.lock(timeout_s=60):
        known = store.known_doc_ids()
        written = 0
        for i in range(n_docs):
            doc_id = f"{i:064x}"
            if doc_id not in known:
                write(store, doc_id, seed=i, run_id="same")
                written += 1
        store.append("runs", [{"run_id": f"r{written}", "flow": "ingest",
                               "started_at": datetime.now(UTC), "docs_new": written,
                               "docs_skipped": n_docs - written, "docs_failed": 0}])


def test_two_processes_at_once_end_with_the_rows_of_one(tmp_path: Path) -> None:
    ctx = mp.get_context("spawn")
    start = ctx.Event()
    procs = [ctx.Process(target=_ingest_like, args=(str(tmp_path / "both"), start, 8))
             for _ in range(2)]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    _ingest_like(str(tmp_path / "one"), _set_event(ctx), 8)
    both, one = Store(tmp_path / "both"), Store(tmp_path / "one")
    for table in DOCUMENT_TABLES:
        assert both.read(table).sort_by(keys(table)).equals(
            one.read(table).sort_by(keys(table))), table
    # One run wrote everything, the other found it all known.
    assert sorted(sql(both, "SELECT docs_new FROM runs")) == [(0,), (8,)]


def _set_event(ctx: mp.context.BaseContext) -> mp.synchronize.Event:
    event = ctx.Event()
    event.set()
    return event


def _hold_lock(root: str, held: mp.synchronize.Event, release: mp.synchronize.Event) -> None:
    with Store(root).lock(timeout_s=5):
        held.set()
        release.wait(30)


def test_lock_timeout_names_the_holder(tmp_path: Path) -> None:
    ctx = mp.get_context("spawn")
    held, release = ctx.Event(), ctx.Event()
    p = ctx.Process(target=_hold_lock, args=(str(tmp_path), held, release))
    p.start()
    try:
        assert held.wait(60)
        with pytest.raises(StoreLockTimeout, match=rf"locked by pid {p.pid}.*gave up after"):
            with Store(tmp_path).lock(timeout_s=0.3):
                pass
    finally:
        release.set()
        p.join(30)
    with Store(tmp_path).lock(timeout_s=5):  # free again once the holder is gone
        pass


CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus texts not available")
def test_real_extractor_output_fits_the_schemas_and_round_trips(tmp_path: Path) -> None:
    extractors_amounts = pytest.importorskip("extractors.amounts")
    extractors_legal = pytest.importorskip("extractors.legal_refs")
    from fsfdocs.model import ParsedDocument

    store = Store(tmp_path)
    expected = {}
    for n, path in enumerate(sorted(CORPUS.glob("*.txt"))):
        doc_id = f"{n:064x}"
        doc = ParsedDocument.from_text(path.read_text(encoding="utf-8"), doc_id=doc_id)
        tables = {"amounts": extractors_amounts.extract_amounts(doc),
                  "legal_refs": extractors_legal.extract_legal_refs(doc)}
        for name, records in tables.items():  # grounding as the extraction runner fills it
            for i, r in enumerate(records):
                r.update(doc_id=doc_id, record_id=f"{name}-{i}", page=doc.page_at(r["char_start"]))
                r.setdefault("section", None)
            expected[(doc_id, name)] = len(records)
        assert store.replace_document_rows(doc_id, "ovrigt", None, tables, run_id="r") == []
    con = store.connect()
    for (doc_id, name), count in expected.items():
        got = con.sql(f"SELECT count(*) FROM {name} WHERE doc_id = '{doc_id}'").fetchone()[0]
        assert got == count
    assert sum(expected.values()) > 0


def test_one_documents_rows_read_alike_from_its_own_file_older_files_and_compacted_ones(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path)
    for i, doc in enumerate(("a" * 64, "b" * 64)):
        write(store, doc, n_amounts=15 + i, seed=i)
    own = store.read_document_rows("a" * 64, ["amounts"])["amounts"]
    assert len(own) == 15 and {r["doc_id"] for r in own} == {"a" * 64}
    # A file written before a nullable column existed: the column reads as null.
    [rel] = store._locate("amounts", "a" * 64)[0]
    path = store.fs.path(rel)
    pq.write_table(pq.read_table(path).drop(["qualifier"]), path)
    older = store.read_document_rows("a" * 64, ["amounts"])["amounts"]
    assert [r["qualifier"] for r in older] == [None] * 15
    assert [{**r, "qualifier": None} for r in own] == older
    store.compact()
    assert store.read_document_rows("a" * 64, ["amounts"])["amounts"] == older
