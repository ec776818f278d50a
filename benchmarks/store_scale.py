"""Store at scale: the analyst queries and an incremental ingest on a store of N documents.

    .venv/bin/python benchmarks/store_scale.py [--docs 10000] [--from-store data/curated]

Fills a fresh store (in a temp folder) with ``--docs`` documents' worth of records: each new
document copies a prototype document of its type (from ``--from-store`` when it has documents,
else built-in realistic prototypes: ~400 amounts per årsanalys, ~40 per ansökan) with a new
doc_id and jittered amounts, written straight into compacted files. Then times every analyst
query (median of 3, fresh views) and one incremental ingest of a new document, which must add
one small file per table whatever the store's size (compared with a 200-document store).
With ``--from-store`` and its parse cache (``--interim``), it also adds that store's largest real
document and times ``fsfdocs reextract --doc ID --all`` on it (the real flow, from the caches):
this must not grow with the store either. Prints a report; ``--json FILE`` also writes the
figures.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fsfdocs.settings import configure_environment  # noqa: E402
from fsfdocs.store import Store  # noqa: E402
from schemas import DOCUMENT_TABLES, SCHEMAS, validate  # noqa: E402

configure_environment()

#: The README's analyst questions ({file} and {page} are filled from the store).
QUERIES: dict[str, str] = {
    "requested_per_target_group": """
        SELECT target_group, count(*) AS items, sum(requested_sek) AS requested_sek
        FROM (SELECT unnest(target_groups) AS target_group, requested_sek
              FROM funding_requests)
        GROUP BY target_group ORDER BY requested_sek DESC""",
    "requested_per_lss_insats": """
        SELECT insats, count(*) AS items, sum(requested_sek) AS requested_sek
        FROM (SELECT unnest(lss_insatser) AS insats, requested_sek FROM funding_requests)
        GROUP BY insats ORDER BY requested_sek DESC""",
    "budget_deviation_per_insats": """
        SELECT a.year, a.row_label AS insats, sum(a.value_sek) AS deviation_sek,
               min(a.page) AS page
        FROM amounts a
        WHERE a.doc_type = 'arsanalys' AND a.kind = 'deviation' AND a.source = 'table'
        GROUP BY ALL ORDER BY a.year, deviation_sek""",
    "failed_checks": """
        SELECT d.file_name, c."check", c.expected_sek, c.actual_sek,
               c.expected_sek - c.actual_sek AS difference_sek, c.page, c.detail
        FROM checks c JOIN documents d USING (doc_id)
        WHERE NOT c.passed ORDER BY abs(difference_sek) DESC""",
    "amounts_on_a_page": """
        SELECT a.page, a.value_sek, a.unit, a.kind, a.label, a.raw_text, a.char_start
        FROM amounts a JOIN documents d USING (doc_id)
        WHERE d.file_name = '{file}' AND a.page = {page} ORDER BY a.char_start""",
    "documents_mentioning_lss_9_10": """
        SELECT d.file_name, d.doc_type, d.year, count(*) AS mentions,
               list(DISTINCT l.page ORDER BY l.page) AS pages
        FROM legal_refs l JOIN documents d USING (doc_id)
        WHERE l.canonical = 'LSS 9 § 10'
        GROUP BY ALL ORDER BY mentions DESC""",
    "largest_requests_with_source": """
        SELECT d.file_name, f.item_no, f.title, f.requested_sek, f.period_start, f.period_end,
               f.page, f.raw_text
        FROM funding_requests f JOIN documents d USING (doc_id)
        ORDER BY f.requested_sek DESC NULLS LAST LIMIT 10""",
    "amounts_by_type_year_kind": """
        SELECT doc_type, year, kind, count(*) AS n, sum(value_sek) AS total_sek
        FROM amounts GROUP BY ALL ORDER BY ALL""",
}

INSATSER = ["daglig_verksamhet", "bostad_vuxna", "korttidsvistelse", "personlig_assistans",
            "ledsagarservice", "kontaktperson", "boende_barn"]
GROUPS = ["unga_vuxna", "autism", "npf", "personkrets_1", "dv_deltagare", "anhoriga"]
SHAPES = {  # doc_type: (amounts, sections, legal_refs, target_groups, entities, items)
    "arsanalys": (400, 40, 25, 10, 60, 0),
    "ansokan": (40, 15, 8, 12, 20, 5),
    "tjansteskrivelse": (15, 8, 10, 6, 15, 0),
}


def _prototype(doc_type: str, rnd: random.Random) -> dict[str, list[dict]]:
    """One realistic document's records (validated like every real write)."""
    n_am, n_sec, n_ref, n_tg, n_ent, n_items = SHAPES[doc_type]
    pos = 0

    def span(text: str) -> dict:
        nonlocal pos
        start, pos = pos, pos + len(text) + rnd.randint(20, 300)
        return {"char_start": start, "char_end": start + len(text), "raw_text": text,
                "page": 1 + start // 3500, "section": f"{1 + start // 9000}. Avsnitt"}

    tables: dict[str, list[dict]] = {t: [] for t in DOCUMENT_TABLES}
    for i in range(n_sec):
        tables["sections"].append({"record_id": f"s{i}", **span(f"{i + 1}. Avsnitt"),
                                   "section_no": str(i + 1), "title": "Avsnitt", "level": 1,
                                   "parent_no": None, "extractor": "rule", "confidence": 1.0})
    for i in range(n_am):
        tabular = doc_type == "arsanalys" and i % 5
        kind = rnd.choice(["budget", "outcome", "deviation", "forecast"]) if tabular else \
            rnd.choice(["requested_item", "cost_line", "other", "grant"])
        value = rnd.randint(-40_000, 400_000) * 1000 if kind == "deviation" else \
            rnd.randint(5, 400_000) * 1000
        tables["amounts"].append({
            "record_id": f"a{i}", **span(f"{value // 1000} tkr"), "value_sek": value,
            "value_max_sek": None, "unit": "tkr", "qualifier": None, "kind": kind,
            "label": rnd.choice(INSATSER), "period": "2024" if tabular else None,
            "source": "table" if tabular else "text", "table_id": "t1" if tabular else None,
            "row_label": rnd.choice(INSATSER) if tabular else None,
            "column_label": kind if tabular else None,
            "extractor": "table_rule" if tabular else "amount_rule", "confidence": 0.9})
    for i in range(n_ref):
        point = rnd.randint(1, 10)
        tables["legal_refs"].append({
            "record_id": f"l{i}", **span(f"9 § {point} LSS"), "law": "LSS",
            "statute": "1993:387", "chapter": None, "paragraph": "9", "point": str(point),
            "canonical": f"LSS 9 § {point}", "kind": "explicit",
            "insats": None, "extractor": "lss_rule", "confidence": 0.95})
    for i in range(n_tg):
        tables["target_groups"].append({"record_id": f"t{i}", **span("unga vuxna"),
                                        "category": rnd.choice(GROUPS), "extractor": "rule",
                                        "confidence": 0.8})
    for i in range(n_ent):
        tables["entities"].append({"record_id": f"e{i}", **span("Malmö stad"), "label": "ORG",
                                   "text": "Malmö stad", "extractor": "ner", "confidence": 0.7})
    for i in range(n_items):
        lines = [{"label": "Lön", "amount_sek": rnd.randint(1, 90) * 10_000} for _ in range(3)]
        tables["funding_requests"].append({
            "record_id": f"f{i}", **span(f"Aktivitet {i + 1}"), "item_no": i + 1,
            "title": f"Aktivitet {i + 1}", "requested_sek": sum(x["amount_sek"] for x in lines),
            "period_start": date(2024, 1, 1), "period_end": date(2024, 12, 31), "unit": None,
            "lss_insatser": rnd.sample(INSATSER, 2), "target_groups": rnd.sample(GROUPS, 2),
            "cost_lines": lines, "extractor": "rule", "confidence": 0.8})
    for i in range(3):
        expected = rnd.randint(100, 900) * 1000
        tables["checks"].append({
            "record_id": f"c{i}", **span("Totalt"), "check": "items_vs_total",
            "expected_sek": expected, "actual_sek": expected - (0 if i else 1000),
            "passed": bool(i), "detail": "sum of items", "extractor": "rule", "confidence": 1.0})
    tables["documents"] = [{
        "file_name": f"{doc_type}.pdf", "source_path": f"data/raw/{doc_type}.pdf",
        "title": doc_type, "page_count": 1 + pos // 3500, "text_source": "text_layer",
        "ocr_pages": 0, "status": "ok", "ingested_at": datetime.now(UTC),
        "first_seen": datetime.now(UTC), "last_seen": datetime.now(UTC)}]
    return tables


def _as_table(name: str, records: list[dict], doc_id: str, doc_type: str) -> pa.Table:
    stamped = [{**r, "doc_id": doc_id, "doc_type": doc_type, "year": 2024, "run_id": "bench",
                "rules_version": "bench"} for r in records]
    table, errors = validate(name, stamped)
    if errors:
        raise ValueError(errors[:3])
    return table


def prototypes(from_store: Path | None, rnd: random.Random) -> dict[str, dict[str, pa.Table]]:
    """Per doc_type, one document's tables: real ones from ``from_store`` where it has any."""
    out = {t: {n: _as_table(n, recs, "proto", t) for n, recs in _prototype(t, rnd).items()}
           for t in SHAPES}
    if from_store and (from_store / "documents").is_dir():
        real = Store(from_store)
        docs = real.read("documents", columns=["doc_id", "doc_type"]).to_pylist()
        for d in docs:
            out[d["doc_type"]] = {n: real.read(n, doc_id=d["doc_id"]) for n in DOCUMENT_TABLES}
    return out


def _doc_id(i: int) -> str:
    return hashlib.sha256(f"bench-{i}".encode()).hexdigest()


def fill(store: Store, n_docs: int, protos: dict[str, dict[str, pa.Table]], seed: int) -> int:
    """Write ``n_docs`` documents' records into compacted files; returns the row count."""
    rng = np.random.default_rng(seed)
    kinds = list(protos)
    weights = np.array([{"arsanalys": 0.1, "ansokan": 0.6}.get(k, 0.3) for k in kinds])
    doc_types = rng.choice(kinds, size=n_docs, p=weights / weights.sum())
    rows = 0
    for table in DOCUMENT_TABLES:
        pieces = []
        for kind in kinds:
            proto = protos[kind][table]
            idx = np.flatnonzero(doc_types == kind)
            if not len(idx) or not proto.num_rows:
                continue
            tiled = proto.take(np.tile(np.arange(proto.num_rows), len(idx)))
            ids = np.repeat([_doc_id(int(i)) for i in idx], proto.num_rows)
            tiled = tiled.set_column(0, SCHEMAS[table].field("doc_id"), pa.array(ids))
            if table == "documents":
                names = pa.array([f"doc-{int(i):05d}.pdf" for i in idx])
                tiled = tiled.set_column(1, SCHEMAS[table].field("file_name"), names)
                tiled = tiled.set_column(2, SCHEMAS[table].field("source_path"),
                                         pc.binary_join_element_wise("data/raw/", names, ""))
            years = pa.array(np.repeat(rng.integers(2018, 2026, len(idx)), proto.num_rows),
                             pa.int32())
            tiled = tiled.set_column(tiled.schema.get_field_index("year"),
                                     SCHEMAS[table].field("year"), years)
            if table == "amounts":
                jitter = rng.integers(80, 121, tiled.num_rows)
                values = pc.multiply(tiled.column("value_sek"), pa.array(jitter)).to_numpy()
                tiled = tiled.set_column(tiled.schema.get_field_index("value_sek"),
                                         SCHEMAS[table].field("value_sek"),
                                         pa.array(values // 100 * 1, pa.int64()))
            pieces.append(tiled)
        if pieces:
            data = pa.concat_tables(pieces)
            rows += data.num_rows
            store.bulk_load(table, data)
    return rows


def time_queries(store: Store, repeat: int = 3) -> dict[str, float]:
    """Median seconds of each analyst query, each on a fresh connection with fresh views."""
    con = store.connect()
    file, page = con.sql("SELECT d.file_name, a.page FROM amounts a JOIN documents d "
                         "USING (doc_id) WHERE d.doc_type = 'arsanalys' LIMIT 1").fetchone()
    out = {}
    for name, sql in QUERIES.items():
        sql = sql.format(file=file, page=page)
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            con = store.connect()
            con.sql(sql).fetchall()
            times.append(time.perf_counter() - t0)
        out[name] = statistics.median(times)
    return out


def time_incremental(store: Store, protos: dict[str, dict[str, pa.Table]], tag: str
                     ) -> dict[str, float]:
    """Seconds to add one new ansökan (known_doc_ids + replace) and files it added."""
    doc_id = hashlib.sha256(f"new-{tag}".encode()).hexdigest()
    records = {n: [{**r, "doc_id": doc_id} for r in t.to_pylist()]
               for n, t in protos["ansokan"].items()}
    files_before = sum(len(store.table_files(t)) for t in DOCUMENT_TABLES)
    t0 = time.perf_counter()
    with store.lock(timeout_s=60):
        known = store.known_doc_ids()
        t1 = time.perf_counter()
        errors = store.replace_document_rows(doc_id, "ansokan", 2025, records, run_id="inc")
    t2 = time.perf_counter()
    assert not errors and doc_id not in known, errors
    files_after = sum(len(store.table_files(t)) for t in DOCUMENT_TABLES)
    # Re-ingesting a document that lives in a compacted file rewrites only that file.
    old = _doc_id(0)
    old_type = store.read("documents", doc_id=old, columns=["doc_type"]).column(0)[0].as_py()
    old_recs = {n: store.read(n, doc_id=old).drop_columns(["doc_type", "year", "run_id",
                                                          "rules_version"]).to_pylist()
                for n in DOCUMENT_TABLES}
    t3 = time.perf_counter()
    store.replace_document_rows(old, old_type, 2024, old_recs, run_id="re")
    t4 = time.perf_counter()
    return {"known_doc_ids_s": t1 - t0, "new_doc_write_s": t2 - t1, "new_doc_total_s": t2 - t0,
            "files_added": files_after - files_before, "reingest_compacted_doc_s": t4 - t3}


def time_reextract_one(store: Store, from_store: Path, interim: Path, repeat: int = 3
                       ) -> float | None:
    """Median seconds of re-extracting one real document of ``from_store`` added to ``store``.

    ``None`` when ``from_store`` has no ingested documents. The first run (which also starts
    the temporary Prefect server) is not counted.
    """
    from flows.reextract import run_reextract

    if not (from_store / "documents").is_dir():
        return None
    real = Store(from_store)
    docs = real.read("documents").to_pylist()
    doc = max(docs, key=lambda d: d["page_count"])
    stamps = ["doc_type", "year", "run_id", "rules_version"]
    records = {n: real.read(n, doc_id=doc["doc_id"]).drop_columns(stamps).to_pylist()
               for n in DOCUMENT_TABLES}
    store.replace_document_rows(doc["doc_id"], doc["doc_type"], doc["year"], records,
                                run_id="real", rules_version=doc["rules_version"])
    times = []
    for _ in range(repeat + 1):
        t0 = time.perf_counter()
        summary = run_reextract(curated_dir=str(store.root), interim_dir=str(interim),
                                doc_ids=[doc["doc_id"]], all_docs=True, dry_run=True)
        times.append(time.perf_counter() - t0)
        assert summary.ok and summary.selected == [doc["doc_id"]], summary.failed
    return statistics.median(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=200, help="size of the comparison store")
    parser.add_argument("--from-store", type=Path, default=Path("data/curated"))
    parser.add_argument("--interim", type=Path, default=Path("data/interim"),
                        help="the parse cache of --from-store")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    protos = prototypes(args.from_store, random.Random(args.seed))
    report: dict[str, object] = {"docs": args.docs}
    with tempfile.TemporaryDirectory(prefix="fsfdocs-bench-") as tmp:
        for label, n in (("small", args.small), ("large", args.docs)):
            store = Store(Path(tmp) / label)
            t0 = time.perf_counter()
            rows = fill(store, n, protos, args.seed)
            report[f"{label}_fill_s"] = round(time.perf_counter() - t0, 2)
            report[f"{label}_rows"] = rows
            report[f"{label}_incremental"] = time_incremental(store, protos, label)
            report[f"{label}_reextract_one_doc_s"] = time_reextract_one(
                store, args.from_store, args.interim)
            if label == "large":
                report["queries_s"] = time_queries(store)
                t0 = time.perf_counter()
                stats = store.compact()
                report["compact_after_incremental_s"] = round(time.perf_counter() - t0, 2)
                report["files_after_compact"] = {t: a for t, (_, a) in stats.items()}
    print(json.dumps(report, indent=2, default=float))
    slow = {k: v for k, v in report["queries_s"].items() if v >= 1.0}
    print(f"queries over 1 s: {slow or 'none'}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=float))


if __name__ == "__main__":
    main()
