"""Pre-annotation of corpus sentences for ``data/annotations`` (a starting point for review).

Splits a document's text into sentences, labels them with the entity ruler plus a list of known
person names, and keeps the sentences with at least one span together with a seeded sample of
sentences without any (negative examples). The output is reviewed and corrected by hand; the
reviewed JSONL files, not this module, are the training and evaluation truth.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from fsfdocs.ner.annotations import Record
from fsfdocs.ner.pipeline import blank_pipeline

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9•\"”])")
MIN_CHARS, MAX_CHARS = 20, 400


def sentences(text: str) -> list[str]:
    """Sentences of a plain-text document: paragraphs (blank-line separated) joined, then split."""
    out = []
    for para in re.split(r"\n\s*\n", text):
        flat = re.sub(r"\s+", " ", para).strip()
        out.extend(s.strip() for s in SENTENCE_END.split(flat) if s.strip())
    return out


def preannotate(text: str, source: str, persons: list[str], negatives: float = 0.25,
                seed: int = 13) -> list[Record]:
    """Pre-annotated records of one document's sentences (ids ``<source>:<n>``)."""
    nlp = blank_pipeline()
    with_spans, without = [], []
    for n, sent in enumerate(sentences(text)):
        if not MIN_CHARS <= len(sent) <= MAX_CHARS:
            continue
        doc = nlp(sent)
        spans = [{"start": e.start_char, "end": e.end_char, "label": e.label_} for e in doc.ents]
        for name in persons:
            for m in re.finditer(re.escape(name), sent):
                if not any(s["start"] < m.end() and m.start() < s["end"] for s in spans):
                    spans.append({"start": m.start(), "end": m.end(), "label": "PERSON"})
        rec = {"id": f"{source}:{n:04d}", "source": source, "text": sent,
               "spans": sorted(spans, key=lambda s: s["start"])}
        (with_spans if spans else without).append(rec)
    rng = random.Random(seed)
    k = min(len(without), int(len(with_spans) * negatives))
    picked = {r["id"] for r in rng.sample(without, k)}
    return [r for r in with_spans + without if r["spans"] or r["id"] in picked]


def write_jsonl(records: list[Record], path: Path) -> None:
    """Write records one JSON object a line (UTF-8, not ASCII-escaped)."""
    with open(path, "w", encoding="utf-8") as fh:
        for r in sorted(records, key=lambda r: r["id"]):
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
