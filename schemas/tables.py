"""Every curated table, column by column: the one definition the store, the docs and the tests use.

Extracted tables share the grounding columns (which document, page, section and character span a
record comes from, which extractor made it and how sure it is) and the store columns (the
``doc_type`` partition, the ``year`` of the document, and the ``run_id``/``rules_version`` that
wrote the row).
"""

from __future__ import annotations

import pyarrow as pa

from schemas.columns import COST_LINE, UTC_TIMESTAMP, Column, TableSpec

STR, I64, I32, F64, BOOL, DATE = pa.string(), pa.int64(), pa.int32(), pa.float64(), pa.bool_(), (
    pa.date32()
)
SHA = "3f2a9c0d5e8b7a6f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b"
RUN = "20260123T101500-1a2b3c4d"


def _doc_id(desc: str = "sha256 of the source PDF's bytes (the document's identity)") -> Column:
    return Column("doc_id", STR, desc, nullable=False, unit="hex sha256", example=SHA)


def _head() -> tuple[Column, ...]:
    return (
        _doc_id(),
        Column("record_id", STR, "Stable key of the record within its document and table "
               "(same document, span and key fields give the same id in every run)",
               nullable=False, example="9c1e4b7a20d35f18"),
    )


def _tail() -> tuple[Column, ...]:
    return (
        Column("page", I32, "1-based page of the PDF the record starts on", nullable=False,
               unit="page number", example=3, min=1),
        Column("section", STR, "Numbered heading the record lies under (number and title), "
               "null when before the first heading", example="1.3 Aktiviteter som verksamheten "
               "söker medel för"),
        Column("char_start", I64, "Start offset of the record's span in the parsed document text",
               nullable=False, unit="characters", example=10234, min=0),
        Column("char_end", I64, "End offset (exclusive) of the span", nullable=False,
               unit="characters", example=10251, min=0),
        Column("raw_text", STR, "The text of the span, exactly as in the document",
               nullable=False, example="1 250 000 kr"),
        Column("extractor", STR, "Which extractor produced the record", nullable=False,
               example="amount_rule"),
        Column("confidence", F64, "How sure the extractor is", nullable=False, unit="0..1",
               example=0.95, min=0.0, max=1.0),
        *_store_columns(),
    )


def _store_columns() -> tuple[Column, ...]:
    return (
        Column("doc_type", STR, "Kind of document (hive partition of the table)",
               nullable=False, example="ansokan", vocabulary="doc_type"),
        Column("year", I32, "Year the document concerns (verksamhetsår / ansökningsår), if known",
               unit="year", example=2024, min=1900, max=2200),
        Column("run_id", STR, "Flow run that wrote the row (see `runs`)", nullable=False,
               example=RUN),
        Column("rules_version", STR, "Hash of the extraction rules and code that made the row",
               example="4be1c0de9a7f3321"),
    )


def _extracted(name: str, description: str, *own: Column) -> TableSpec:
    return TableSpec(name, description, (*_head(), *own, *_tail()))


SECTIONS = _extracted(
    "sections", "Headings of each document: the numbered outline, with the span of the heading.",
    Column("section_no", STR, "Heading number, null for unnumbered headings", example="1.3"),
    Column("title", STR, "Heading text without its number", nullable=False,
           example="Aktiviteter som verksamheten söker medel för"),
    Column("level", I32, "Depth of the heading (1 = top level)", nullable=False, example=2,
           min=1),
    Column("parent_no", STR, "Number of the enclosing heading, null at top level", example="1"),
)

AMOUNTS = _extracted(
    "amounts", "Every amount of money in the documents, in exact SEK, from text and tables.",
    Column("value_sek", I64, "The amount in whole SEK (tkr and mnkr converted); for a range "
           "its lower bound; negative for a deficit", nullable=False, unit="SEK",
           example=1250000),
    Column("value_max_sek", I64, "Upper bound of a range (`2–3 mnkr`), else null", unit="SEK",
           example=3000000),
    Column("unit", STR, "Unit as written in the document", example="tkr"),
    Column("qualifier", STR, "Hedge or scope word before the amount", example="cirka"),
    Column("kind", STR, "What role the amount plays", nullable=False, example="requested_item",
           vocabulary="amount_kind"),
    Column("label", STR, "What the money is for", example="Lönekostnad projektledare"),
    Column("period", STR, "Period the amount covers (`YYYY`, `YYYY-MM/YYYY-MM`), else null",
           example="2023-09/2023-12"),
    Column("source", STR, "Found in running text or in a table", nullable=False,
           example="table", vocabulary="amount_source"),
    Column("table_id", STR, "Table the amount comes from (`t1`, `t2`… in document order)",
           example="t2"),
    Column("row_label", STR, "Row heading of the table cell", example="Daglig verksamhet"),
    Column("column_label", STR, "Column heading of the table cell", example="Avvikelse"),
)

LEGAL_REFS = _extracted(
    "legal_refs",
    "References to laws and regulations (LSS, SoL, SFB, SOSFS…), explicit or implied.",
    Column("law", STR, "Abbreviation of the law", nullable=False, example="LSS"),
    Column("statute", STR, "SFS / SOSFS number, if written", example="1993:387"),
    Column("chapter", STR, "Chapter (kap.), if any", example="5"),
    Column("paragraph", STR, "Paragraph (§), as text", example="9"),
    Column("point", STR, "Point (punkt) of the paragraph, if any", example="10"),
    Column("canonical", STR, "Normalised reference", nullable=False, example="LSS 9 § 10"),
    Column("kind", STR, "Written as a reference (explicit) or implied by an insats name "
           "(implicit)", nullable=False, example="explicit", vocabulary="legal_ref_kind"),
    Column("insats", STR, "The LSS insats the reference names, if any", example="daglig_verksamhet",
           vocabulary="insats"),
)

TARGET_GROUPS = _extracted(
    "target_groups", "Target groups (målgrupper) the documents name, mapped to a fixed vocabulary.",
    Column("category", STR, "Target-group category", nullable=False, example="unga_vuxna",
           vocabulary="target_group"),
)

ENTITIES = _extracted(
    "entities", "Named organisations, people, places and target-group phrases (NER and rules).",
    Column("label", STR, "Entity type", nullable=False, example="ORG", vocabulary="entity_label"),
    Column("text", STR, "The entity as written (normalised whitespace)", nullable=False,
           example="Funktionsstödsförvaltningen"),
)

FUNDING_REQUESTS = _extracted(
    "funding_requests", "Items of a funding application (ansökan om medel): what is asked for, "
    "how much, for whom and when.",
    Column("item_no", I32, "Item number within the application", nullable=False, example=2,
           min=0),
    Column("title", STR, "Item heading", nullable=False, example="Daglig verksamhet för unga"),
    Column("requested_sek", I64, "Amount requested for the item", unit="SEK", example=850000),
    Column("period_start", DATE, "First day of the period the item covers", example="2023-09-01"),
    Column("period_end", DATE, "Last day of the period the item covers", example="2023-12-31"),
    Column("unit", STR, "The verksamhet (unit) that applies",
           example="Daglig verksamhet Rosengård"),
    Column("lss_insatser", pa.list_(STR), "LSS insatser referred to within the item",
           example="['daglig_verksamhet']"),
    Column("target_groups", pa.list_(STR), "Target-group categories named within the item",
           example="['unga_vuxna', 'autism']"),
    Column("cost_lines", pa.list_(COST_LINE), "Cost lines of the item (label, amount in SEK)",
           unit="SEK", example="[{'label': 'Handledare 50 %', 'amount_sek': 240000}]"),
)

CHECKS = _extracted(
    "checks", "Arithmetic checks: do stated totals equal the sum of their parts?",
    Column("check", STR, "Which check", nullable=False, example="items_vs_total"),
    Column("expected_sek", I64, "The stated total", unit="SEK", example=2000000),
    Column("actual_sek", I64, "The sum of the parts found", unit="SEK", example=1950000),
    Column("passed", BOOL, "Whether the parts add up to the total", nullable=False, example=False),
    Column("detail", STR, "What was compared", example="3 items sum to 1 950 000, total 2 000 000"),
)

DOCUMENTS = TableSpec(
    "documents", "One row per ingested document (a content hash): what it is and when it was seen.",
    (
        _doc_id(),
        Column("file_name", STR, "File name of the PDF", nullable=False,
               example="arsanalys-2024.pdf"),
        Column("source_path", STR, "Path the PDF was ingested from", nullable=False,
               example="data/raw/arsanalys-2024.pdf"),
        Column("title", STR, "Title taken from the document's content",
               example="Årsanalys 2024 Funktionsstödsnämnden"),
        Column("page_count", I32, "Number of pages", nullable=False, unit="pages", example=24,
               min=0),
        Column("text_source", STR, "Where the text came from", nullable=False,
               example="text_layer", vocabulary="text_source"),
        Column("ocr_pages", I32, "Pages read by OCR", unit="pages", example=0, min=0),
        Column("status", STR, "Ingest status", nullable=False, example="ok"),
        Column("diarienummer", STR, "Case number, if stated", example="FSN-2024-123"),
        Column("document_date", DATE, "Date of the document, if stated", example="2025-02-11"),
        Column("organisation", STR, "Issuing organisation", example="Funktionsstödsförvaltningen"),
        Column("pipeline_version", STR, "fsfdocs version that ingested it", example="0.1.0"),
        Column("ingested_at", UTC_TIMESTAMP, "When this version of the row was written",
               nullable=False, unit="UTC", example="2026-01-23 10:15:02+00"),
        Column("first_seen", UTC_TIMESTAMP, "When its source path was first ingested",
               unit="UTC", example="2026-01-20 08:00:00+00"),
        Column("last_seen", UTC_TIMESTAMP, "When it was last ingested", unit="UTC",
               example="2026-01-23 10:15:02+00"),
        *_store_columns(),
    ),
)

ERRORS = TableSpec(
    "errors", "Documents or records that could not be ingested or written, one row per failure.",
    (
        Column("source_path", STR, "File (or table/record) concerned", example="data/raw/x.pdf"),
        Column("sha256", STR, "Content hash of the file, if it could be read", unit="hex sha256",
               example=SHA),
        Column("stage", STR, "Where it failed (discover, parse, extract, write, validate…)",
               nullable=False, example="parse"),
        Column("error_type", STR, "Kind of error", nullable=False, example="PDFSyntaxError"),
        Column("message", STR, "What went wrong", nullable=False, example="no /Root object"),
        Column("occurred_at", UTC_TIMESTAMP, "When", nullable=False, unit="UTC",
               example="2026-01-23 10:15:02+00"),
        Column("run_id", STR, "Flow run it happened in", example=RUN),
    ),
    scope="log", sort_by=("occurred_at",),
)

RUNS = TableSpec(
    "runs", "One row per flow run (ingest, re-extraction).",
    (
        Column("run_id", STR, "Run identifier (UTC start time and a random suffix)",
               nullable=False, example=RUN),
        Column("flow", STR, "Which flow", nullable=False, example="ingest"),
        Column("started_at", UTC_TIMESTAMP, "Start", nullable=False, unit="UTC",
               example="2026-01-23 10:15:00+00"),
        Column("finished_at", UTC_TIMESTAMP, "End", unit="UTC", example="2026-01-23 10:16:12+00"),
        Column("docs_new", I64, "Documents written", nullable=False, unit="documents", example=4,
               min=0),
        Column("docs_skipped", I64, "Documents already in the store", nullable=False,
               unit="documents", example=0, min=0),
        Column("docs_failed", I64, "Documents that failed (see `errors`)", nullable=False,
               unit="documents", example=0, min=0),
        Column("pages", I64, "Pages processed", unit="pages", example=61, min=0),
        Column("ocr_pages", I64, "Pages read by OCR", unit="pages", example=0, min=0),
        Column("rules_version", STR, "Rules version in force", example="4be1c0de9a7f3321"),
        Column("pipeline_version", STR, "fsfdocs version", example="0.1.0"),
        Column("duration_s", F64, "Wall-clock duration", unit="seconds", example=72.4, min=0.0),
    ),
    scope="log", sort_by=("started_at",),
)

EXTRACTION_DIFFS = TableSpec(
    "extraction_diffs", "What a re-extraction changed, record by record.",
    (
        Column("run_id", STR, "Re-extraction run", nullable=False, example=RUN),
        _doc_id(),
        Column("table", STR, "Curated table of the record", nullable=False, example="amounts"),
        Column("change", STR, "Kind of change", nullable=False, example="changed",
               vocabulary="diff_change"),
        Column("record_key", STR, "Key the records were matched on", nullable=False,
               example="amounts|10234|10251|table|t2|Daglig verksamhet|Avvikelse"),
        Column("before", STR, "The record before, as JSON (null when added)",
               example='{"value_sek": 1200000}'),
        Column("after", STR, "The record after, as JSON (null when removed)",
               example='{"value_sek": 1250000}'),
    ),
    scope="log", sort_by=("run_id", "doc_id"),
)

TABLE_SPECS: dict[str, TableSpec] = {
    t.name: t
    for t in (DOCUMENTS, SECTIONS, AMOUNTS, LEGAL_REFS, TARGET_GROUPS, ENTITIES, FUNDING_REQUESTS,
              CHECKS, ERRORS, RUNS, EXTRACTION_DIFFS)
}
