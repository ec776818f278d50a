"""Entities of a :class:`~fsfdocs.model.ParsedDocument` found by the NER pipeline.

The text is cut into blocks (paragraphs between blank lines, table spans left out, long blocks
split at line ends); each whitespace run of a block (line breaks, tabs, double spaces) becomes one
space before the pipeline sees it, with an offset map so every entity span maps back to
``doc.text`` exactly. Ruler matches are reported with ``extractor="ner_ruler"``, model
predictions with ``extractor="ner"``.
"""

from __future__ import annotations

import re
from typing import Any

from fsfdocs.model import ParsedDocument
from fsfdocs.ner.patterns import load_vocabulary

Record = dict[str, Any]
MAX_BLOCK_CHARS = 2000
_BLANK_LINE = re.compile(r"\n[ \t\f\r]*\n")


def text_blocks(doc: ParsedDocument, max_chars: int = MAX_BLOCK_CHARS) -> list[tuple[int, int]]:
    """``(start, end)`` spans of ``doc.text`` to run NER over: paragraphs outside tables."""
    text = doc.text
    spans: list[tuple[int, int]] = []
    pos = 0
    for cut in [*_BLANK_LINE.finditer(text), None]:
        end = cut.start() if cut else len(text)
        spans.extend(_outside_tables(pos, end, doc.table_spans()))
        pos = cut.end() if cut else len(text)
    out = []
    for start, end in spans:
        out.extend(_split_long(text, start, end, max_chars))
    return [(s, e) for s, e in out if text[s:e].strip()]


def _outside_tables(start: int, end: int, tables: list[tuple[int, int]]) -> list[tuple[int, int]]:
    pieces = [(start, end)]
    for t0, t1 in tables:
        nxt = []
        for s, e in pieces:
            if t1 <= s or t0 >= e:
                nxt.append((s, e))
                continue
            if s < t0:
                nxt.append((s, t0))
            if t1 < e:
                nxt.append((t1, e))
        pieces = nxt
    return pieces


def _split_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    out = []
    while end - start > max_chars:
        cut = text.rfind("\n", start, start + max_chars)
        cut = cut if cut > start else start + max_chars
        out.append((start, cut))
        start = cut
    out.append((start, end))
    return out


def _collapse_whitespace(block: str) -> tuple[str, list[int]]:
    """The block with every whitespace run (line breaks, tabs, double spaces) as one space, and
    for each character of the result its offset in ``block``."""
    chars: list[str] = []
    index: list[int] = []
    for m in re.finditer(r"\s+|\S+", block):
        if m.group().isspace():
            chars.append(" ")
            index.append(m.start())
        else:
            chars.extend(m.group())
            index.extend(range(m.start(), m.end()))
    return "".join(chars), index


def _confidence() -> dict[str, float]:
    return {k: float(v) for k, v in load_vocabulary()["confidence"].items()}


def extract_entities(doc: ParsedDocument, labels: tuple[str, ...] | None = None) -> list[Record]:
    """Entity records (``label``, ``text``, ``char_start``, ``char_end``, ``raw_text``,
    ``extractor``, ``confidence``) of the document, in text order."""
    from fsfdocs.ner.pipeline import load_pipeline  # spaCy only when the model runs

    nlp = load_pipeline()
    conf = _confidence()
    blocks = text_blocks(doc)
    normalised = [_collapse_whitespace(doc.text[s:e]) for s, e in blocks]
    out: list[Record] = []
    sdocs = nlp.pipe((n for n, _ in normalised), batch_size=64)
    pairs = zip(blocks, normalised, sdocs, strict=True)
    for (start, _), (_, index), sdoc in pairs:
        for ent in sdoc.ents:
            if labels is not None and ent.label_ not in labels:
                continue
            c0 = start + index[ent.start_char]
            c1 = start + index[ent.end_char - 1] + 1
            raw = doc.text[c0:c1]
            source = "ner_ruler" if ent.ent_id_.startswith("ruler:") else "ner"
            if source == "ner" and not _plausible_model_span(doc.text, c0, c1, len(ent)):
                continue
            out.append({
                "label": ent.label_,
                "text": " ".join(raw.split()),
                "char_start": c0,
                "char_end": c1,
                "raw_text": raw,
                "extractor": source,
                "confidence": conf[source],
            })
    return out


def _plausible_model_span(text: str, start: int, end: int, n_tokens: int) -> bool:
    """Reject a one-word model entity that opens a line (a heading or a sentence start, where
    Swedish capitalises any word) unless the document also capitalises the word mid-sentence."""
    line_start = text.rfind("\n", 0, start) + 1
    if n_tokens > 1 or text[line_start:start].strip(" \t•-–*0123456789.)("):
        return True
    word = re.escape(text[start:end])
    return re.search(rf"[a-zåäö0-9,] {word}\b", text) is not None


def find_target_group_phrases(doc: ParsedDocument) -> list[Record]:
    """The MALGRUPP spans of the document (same record shape as :func:`extract_entities`)."""
    return extract_entities(doc, labels=("MALGRUPP",))
