"""The work done for one document, inside a worker process: parse (or load the cache), extract.

Everything here is plain Python with no Prefect, so the same function serves the ingest flow, the
re-extraction flow and any runner (threads, processes, Dask).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fsfdocs.diff import TableDiff, diff_records
from fsfdocs.model import ParsedDocument

Record = dict[str, Any]


class StageError(RuntimeError):
    """A document failed at a named stage (``parse``, ``cache``, ``extract``).

    Carries the original error's type name and message; it pickles across processes.
    """

    def __init__(self, stage: str, error_type: str, message: str) -> None:
        super().__init__(stage, error_type, message)
        self.stage = stage
        self.error_type = error_type
        self.message = message

    def __str__(self) -> str:
        return f"[{self.stage}] {self.error_type}: {self.message}"


@dataclass
class DocumentResult:
    """What a worker returns for one document: its metadata row fields and its records."""

    doc_id: str
    file_name: str
    source_path: str
    metadata: dict[str, Any]
    tables: dict[str, list[Record]] = field(default_factory=dict)
    pages: int = 0
    ocr_pages: int = 0
    cache_status: str = "parsed"  # cache | parsed | repaired
    parse_s: float = 0.0
    extract_s: float = 0.0


def load_or_parse(path: str, doc_id: str, interim_dir: str) -> tuple[ParsedDocument, str]:
    """The parsed document from the cache, or parse the PDF and cache it.

    Returns the document and where it came from: ``cache``, ``parsed`` (no cache entry) or
    ``repaired`` (the cache entry was corrupt; the PDF was parsed again and the entry replaced).
    ``path`` and ``interim_dir`` may be ``s3://`` URLs: the PDF is then parsed from a local
    temporary copy, deleted afterwards.
    """
    from fsfdocs import storage
    from fsfdocs.parse import parse_pdf
    from fsfdocs.parse.cache import CacheCorrupt, load_parsed, save_parsed

    status = "parsed"
    try:
        cached = load_parsed(doc_id, interim_dir)
    except CacheCorrupt:
        cached, status = None, "repaired"
    if cached is not None:
        cached.source_path = path
        cached.file_name = _name(path)
        return cached, "cache"
    if not storage.file_exists(path):
        raise StageError("cache", "SourceMissing",
                         f"{path}: no parse cache entry and the PDF is gone; cannot re-parse")
    if storage.is_url(path):
        with storage.local_copy(path) as local:
            doc = parse_pdf(str(local))
        doc.source_path, doc.file_name = path, _name(path)
    else:
        doc = parse_pdf(path)
    if doc.doc_id != doc_id:  # the file changed between discovery and parsing
        raise StageError("parse", "FileChanged", f"{path}: the file's content changed")
    save_parsed(doc, interim_dir)
    return doc, status


def _name(path: str) -> str:
    """The file name of a local path or URL."""
    return path.rstrip("/").rsplit("/", 1)[-1] if "://" in path else Path(path).name


def document_metadata(doc: ParsedDocument) -> dict[str, Any]:
    """The ``documents`` row fields that come from the parsed document."""
    m = doc.metadata
    return {
        "doc_type": m.doc_type,
        "title": m.title,
        "year": m.year,
        "page_count": doc.page_count,
        "text_source": doc.text_source,
        "diarienummer": m.diarienummer,
        "document_date": m.date,
        "organisation": m.organisation,
        "ocr_pages": sum(p.text_source == "ocr" for p in doc.pages),
    }


def extract_document(
    doc: ParsedDocument, interim_dir: str | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Run the extractors; any failure becomes a :class:`StageError` at stage ``extract``.

    With ``interim_dir``, the NER output is taken from (or put in) its cache there.
    """
    from extractors.entities import extract_entities
    from extractors.pipeline import extract_all
    from fsfdocs.ner.cache import load_entities, save_entities

    try:
        entities = load_entities(doc.doc_id, interim_dir) if interim_dir else None
        if entities is None:
            entities = extract_entities(doc)
            if interim_dir:
                save_entities(doc.doc_id, interim_dir, entities)
        return extract_all(doc, entities=entities)
    except Exception as exc:  # noqa: BLE001 - reported per document, never stops a run
        raise StageError("extract", type(exc).__name__, f"{doc.file_name}: {exc}") from None


def warm_up() -> None:
    """Import the parser and extractors and load the NER model (once per worker process)."""
    import fsfdocs.parse  # noqa: F401
    from extractors.entities import extract_entities

    extract_entities(ParsedDocument.from_text("Malmö stad"))


def warm_up_extractors() -> None:
    """Import the rule extractors, the parse cache and the store, and load every rule file: what
    re-extraction from the caches needs (no parser, no NER model)."""
    import fsfdocs.parse.cache  # noqa: F401
    import fsfdocs.store  # noqa: F401
    from extractors.pipeline import extract_all

    extract_all(ParsedDocument.from_text("Ansökan om 100 000 kr enligt LSS 9 § 1."), [])


def process_document(path: str, doc_id: str, interim_dir: str) -> DocumentResult:
    """Parse (or load from the cache) one PDF and extract every table's records from it.

    Used by ingestion and by re-extraction alike: re-extraction finds the cache and never
    parses again unless the entry is missing or corrupt.
    """
    t0 = time.perf_counter()
    try:
        doc, cache_status = load_or_parse(path, doc_id, interim_dir)
    except StageError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise StageError("parse", type(exc).__name__, str(exc)) from None
    return _extract_result(doc, path, cache_status, interim_dir, time.perf_counter() - t0)


def extract_cached(path: str, doc_id: str, interim_dir: str) -> DocumentResult | None:
    """Extract from the parse cache alone; None when the entry is missing or corrupt.

    Nothing is parsed, so this needs neither the parser nor the NER model (see
    :func:`warm_up_extractors`).
    """
    from fsfdocs.parse.cache import CacheCorrupt, load_parsed

    t0 = time.perf_counter()
    try:
        doc = load_parsed(doc_id, interim_dir)
    except CacheCorrupt:
        return None
    if doc is None:
        return None
    doc.source_path, doc.file_name = path, _name(path)
    return _extract_result(doc, path, "cache", interim_dir, time.perf_counter() - t0)


def _extract_result(doc: ParsedDocument, path: str, cache_status: str, interim_dir: str,
                    parse_s: float) -> DocumentResult:
    t1 = time.perf_counter()
    tables = extract_document(doc, interim_dir)
    meta = document_metadata(doc)
    return DocumentResult(
        doc_id=doc.doc_id,
        file_name=_name(path),
        source_path=path,
        metadata=meta,
        tables=tables,
        pages=doc.page_count,
        ocr_pages=meta["ocr_pages"],
        cache_status=cache_status,
        parse_s=parse_s,
        extract_s=time.perf_counter() - t1,
    )


@dataclass
class Reextraction:
    """One document extracted again, compared record by record with its rows in the store."""

    result: DocumentResult
    diffs: list[TableDiff]
    #: The document's current rows of each extracted table when any changed (they are about to
    #: be replaced and go to the store's history); empty when nothing changed.
    replaced: dict[str, list[Record]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(not d.empty for d in self.diffs)


def compare_with_store(result: DocumentResult, curated_dir: str) -> Reextraction:
    """Diff a new extraction of a document against the rows the store holds for it."""
    from extractors.pipeline import EXTRACTED_TABLES
    from fsfdocs.store import Store

    before = Store(curated_dir).read_document_rows(result.doc_id, EXTRACTED_TABLES)
    diffs = [diff_records(t, result.doc_id, before.get(t, []), result.tables.get(t, []))
             for t in EXTRACTED_TABLES]
    out = Reextraction(result, diffs)
    if out.changed:
        out.replaced = before
    return out


def reextract_cached(path: str, doc_id: str, interim_dir: str, curated_dir: str,
                     rules_dir: str | None = None) -> Reextraction | None:
    """Extract one document from the parse cache and diff it against the store (read only);
    None when its parse cache entry is missing or corrupt.

    ``rules_dir`` is the rule folder to extract with (the caller's, when this runs in a worker
    process started before the caller chose it); by default the one in force.
    """
    from extractors.rules_loader import rules_snapshot

    with rules_snapshot(rules_dir):
        result = extract_cached(path, doc_id, interim_dir)
    return None if result is None else compare_with_store(result, curated_dir)
