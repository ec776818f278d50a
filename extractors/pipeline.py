"""Run every extractor over one parsed document and ground the records.

This is the one place that knows the order of extraction (sections → amounts → legal refs →
target groups → entities → funding requests → checks) and fills the columns every extracted
record shares: ``doc_id``, ``record_id``, ``page`` and ``section``.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from extractors.amounts import extract_amounts
from extractors.checks import extract_checks
from extractors.entities import extract_entities
from extractors.funding import extract_funding_requests
from extractors.legal_refs import extract_legal_refs
from extractors.rules_loader import rules_snapshot
from extractors.sections import Section, extract_sections, find_sections, section_label_at
from extractors.target_groups import categorize_phrase, extract_target_groups
from fsfdocs.model import ParsedDocument

Record = dict[str, Any]

EXTRACTED_TABLES = (
    "sections",
    "amounts",
    "legal_refs",
    "target_groups",
    "entities",
    "funding_requests",
    "checks",
)

# Fields that, with the table, the document and the span, identify a record across runs, so a
# re-extraction can tell an added or removed record from a changed one.
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "sections": ("section_no",),
    "amounts": ("source", "table_id", "row_label", "column_label"),
    "legal_refs": ("canonical",),
    "target_groups": ("category", "extractor"),
    "entities": ("label",),
    "funding_requests": ("item_no",),
    "checks": ("check",),
}


def extract_all(
    doc: ParsedDocument, entities: list[Record] | None = None
) -> dict[str, list[Record]]:
    """All curated records of one document, by table name, grounded and keyed.

    ``entities`` are the NER records when already known (the NER pass is most of the cost of
    extraction and depends only on the text and the model, not on the rule files). Each rule
    file is read once for the whole document (:func:`rules_snapshot`).
    """
    with rules_snapshot():
        return _extract_all(doc, entities)


def _extract_all(doc: ParsedDocument, entities: list[Record] | None) -> dict[str, list[Record]]:
    sections = find_sections(doc)
    amounts = extract_amounts(doc)
    legal_refs = extract_legal_refs(doc)
    if entities is None:
        entities = extract_entities(doc)
    entities = [dict(e) for e in entities]  # grounding below adds fields; keep callers' copies
    target_groups = extract_target_groups(doc) + _ner_target_groups(entities)
    funding = extract_funding_requests(doc, amounts, sections)
    _attach_item_context(funding, legal_refs, target_groups)
    checks = extract_checks(doc, amounts, funding)
    tables = {
        "sections": extract_sections(doc, sections),
        "amounts": amounts,
        "legal_refs": legal_refs,
        "target_groups": target_groups,
        "entities": entities,
        "funding_requests": funding,
        "checks": checks,
    }
    for name, records in tables.items():
        _ground(name, records, doc, sections)
    return tables


def _ner_target_groups(entities: list[Record]) -> list[Record]:
    """Target-group phrases the NER pipeline found, mapped to categories by the rule vocabulary."""
    out = []
    for span in (e for e in entities if e["label"] == "MALGRUPP"):
        for category in categorize_phrase(span["text"]):
            out.append(
                {
                    "category": category,
                    "char_start": span["char_start"],
                    "char_end": span["char_end"],
                    "raw_text": span["text"],
                    "extractor": "ner",
                    "confidence": span.get("confidence", 0.7),
                }
            )
    return out


def _attach_item_context(
    funding: list[Record], legal_refs: list[Record], target_groups: list[Record]
) -> None:
    """Fill each funding item's LSS insatser and target groups from the records in its span."""
    for item in funding:
        lo, hi = item["char_start"], item["char_end"]
        insatser = {
            r["insats"] for r in legal_refs if r.get("insats") and lo <= r["char_start"] < hi
        }
        groups = {r["category"] for r in target_groups if lo <= r["char_start"] < hi}
        item["lss_insatser"] = sorted(insatser)
        item["target_groups"] = sorted(groups)


def _ground(
    table: str, records: list[Record], doc: ParsedDocument, sections: list[Section]
) -> None:
    """Set doc_id, page, section and a stable record_id on every record of ``table``."""
    seen: Counter[str] = Counter()
    for r in records:
        r["doc_id"] = doc.doc_id
        r["page"] = doc.page_at(r["char_start"])
        r.setdefault("section", None)
        if r["section"] is None and table != "sections":
            r["section"] = section_label_at(sections, r["char_start"])
        key = "|".join(
            [table, doc.doc_id, str(r["char_start"]), str(r["char_end"])]
            + [str(r.get(f)) for f in KEY_FIELDS[table]]
        )
        rid = hashlib.sha1(key.encode()).hexdigest()[:16]
        seen[rid] += 1
        r["record_id"] = rid if seen[rid] == 1 else f"{rid}-{seen[rid]}"
