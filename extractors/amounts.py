"""Monetary amounts of a document: text amounts (outside tables) and table-cell amounts.

``extract_amounts(doc)`` returns one record per amount with the ``amounts`` columns; what kind of
money it is (requested, budget, outcome, deviation …), its label and its period are read from the
clause around it with the rules in ``extractors/rules/amounts.yaml``.
"""

from __future__ import annotations

import re
from typing import Any

from extractors.amounts_text import TextAmount, find_text_amounts, has_money_context
from extractors.rules_loader import load_rules
from extractors.sections import Section, find_sections
from extractors.tables import extract_table_amounts
from fsfdocs.model import ParsedDocument

_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-ZÅÄÖ0-9•\-])|\n[ \t]*\n|\n[ \t]*(?=[•\-–]\s)")
_YEAR = re.compile(r"(?<![\d\u00a0\u202f ]\d)(?<!\d)((?:19|20)\d\d)(?!\d)")
_LIST_NO = re.compile(r"^\s*(?:\d+[.)]|[•\-–])\s*")
_TRIM_WORDS = (
    r"(?:[\s,;]+(?:om|på|till|med|av|uppgår|uppgick|är|blev|var|blir|motsvarande|"
    r"ca\.?|cirka|drygt|nästan|knappt|totalt|sammanlagt|ungefär|över|under|runt|omkring))+"
    r"[\s,;]*$"
)


def _rules() -> dict[str, Any]:
    return load_rules("amounts.yaml")


def _in_spans(offset: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= offset < e for s, e in spans)


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    lo = max(0, start - 400)
    s = lo
    for m in _SENTENCE_END.finditer(text, lo, start):
        s = m.end()
    m = _SENTENCE_END.search(text, end, min(len(text), end + 400))
    e = m.end() if m else min(len(text), end + 400)
    return s, e


def _first_kind(context: str, rules: list[dict[str, Any]]) -> str | None:
    """Kind named in ``context``: a ``priority`` rule anywhere wins, else the keyword nearest
    the end of the context (the amount), ties broken by rule order."""
    low = context.lower()
    best: tuple[int, int, str] | None = None
    for order, rule in enumerate(rules):
        for p in rule["patterns"]:
            for m in re.finditer(p, low):
                if rule.get("priority"):
                    return rule["kind"]
                cand = (m.end(), -order, rule["kind"])
                if best is None or cand > best:
                    best = cand
    return best[2] if best else None


def _item_title_before(text: str, offset: int, sections: list[Section]) -> str | None:
    """Title of the numbered item an amount belongs to: its top-level section or list item."""
    tops = [s for s in sections if s.level == 1 and s.char_start <= offset < s.char_end]
    if tops:
        return tops[-1].title
    block_start = max(0, offset - 800)
    chunk = text[block_start:offset]
    items = list(re.finditer(r"(?m)^\s*\d{1,2}\.\s+(\S.*)$", chunk))
    if not items:
        return None
    start = items[-1].start(1)
    para = re.split(r"\n[ \t]*\n|\n\s*summa", chunk[start:], maxsplit=1, flags=re.IGNORECASE)[0]
    return " ".join(para.split()).rstrip(" .:") or None


def _colon_label(prefix: str) -> str | None:
    """``Arbetskonsulent: 1 heltidstjänst:`` → ``Arbetskonsulent``; None when no colon."""
    prefix = _LIST_NO.sub("", prefix)
    if ":" not in prefix:
        return None
    parts = [p.strip() for p in prefix.split(":")]
    parts = [p for p in parts if p and not p[0].isdigit()]
    label = ": ".join(parts)
    label = _LIST_NO.sub("", label)
    label = re.sub(_TRIM_WORDS, "", " " + label, flags=re.IGNORECASE).strip(" ,;:-")
    return label or None


def _prose_label(text: str, clause_start: int, amount: TextAmount, sentence_end: int) -> str | None:
    after = text[amount.end : sentence_end]
    m = re.match(
        r"\s*(?:för|avseende|avser|till)\s+(.{3,80}?)(?=[,.;:]|\s+(?:samt|och|vilket|varav|"
        r"jämfört|i\s+förhållande|på\s+årsbasis)\b|$)",
        after,
        re.DOTALL,
    )
    if m and not re.fullmatch(r"[\d\s–-]+", m.group(1)):
        return " ".join(m.group(1).split())
    before = " ".join(text[clause_start : amount.start].split())
    before = re.sub(_TRIM_WORDS, "", " " + before, flags=re.IGNORECASE).strip(" ,;:")
    words = before.split()
    return " ".join(words[-6:]) or None


def _period(
    text: str, sentence: tuple[int, int], amount: TextAmount, year: int | None
) -> str | None:
    s, e = sentence
    sent = text[s:e]
    months = _rules()["months"]
    names = "|".join(sorted(map(re.escape, months), key=len, reverse=True))
    m = re.search(
        rf"\b({names})\w*\s*[-–]\s*({names})\w*\s+((?:19|20)\d\d)|((?:19|20)\d\d)\s*\(\s*({names})\w*"
        rf"\s*[-–]\s*({names})\w*\s*\)",
        sent,
        re.IGNORECASE,
    )
    if m:
        if m.group(3):
            y, m1, m2 = m.group(3), m.group(1), m.group(2)
        else:
            y, m1, m2 = m.group(4), m.group(5), m.group(6)
        a, b = months[m1.lower()], months[m2.lower()]
        return f"{y}-{a:02d}/{y}-{b:02d}"
    years = [(abs(x.start() + s - amount.start), x.group(1)) for x in _YEAR.finditer(sent)]
    years = [(d, y) for d, y in years if not (amount.start <= s + d < amount.end)]
    if years:
        return min(years)[1]
    return str(year) if year else None


def _amounts_by_text_source(doc: ParsedDocument) -> list[TextAmount]:
    """Text amounts, read with the OCR-tolerant number pattern on OCR pages."""
    ocr_spans = [(p.char_start, p.char_end) for p in doc.pages if p.text_source == "ocr"]
    if not ocr_spans:
        return find_text_amounts(doc.text)
    strict = [a for a in find_text_amounts(doc.text) if not _in_spans(a.start, ocr_spans)]
    lenient = [a for a in find_text_amounts(doc.text, ocr=True) if _in_spans(a.start, ocr_spans)]
    return sorted(strict + lenient, key=lambda a: a.start)


def extract_text_amounts(doc: ParsedDocument, sections: list[Section] | None = None) -> list[dict]:
    """Amounts written in the running text (table spans skipped), one record each."""
    rules = _rules()
    text = doc.text
    sections = find_sections(doc) if sections is None else sections
    spans = doc.table_spans()
    generic = {g.lower() for g in rules["generic_labels"]}
    out: list[dict[str, Any]] = []
    prev_end = 0
    for a in _amounts_by_text_source(doc):
        if _in_spans(a.start, spans):
            continue
        sentence = _sentence_bounds(text, a.start, a.end)
        if a.needs_money_context and not has_money_context(text[sentence[0] : sentence[1]]):
            continue
        clause_start = max(sentence[0], prev_end)
        prev_end = a.end
        kind = (
            _first_kind(text[clause_start : a.start], rules["kinds"])
            or _first_kind(text[sentence[0] : a.start], rules["kinds"])
        )
        section = next(
            (s for s in reversed(sections) if s.char_start <= a.start < s.char_end), None
        )
        if kind is None and section is not None:
            kind = _first_kind(section.title, rules["section_kinds"])
        line_start = text.rfind("\n", 0, a.start) + 1
        label = _colon_label(text[line_start : a.start])
        if label is None or label.lower() in generic:
            label = (
                _item_title_before(text, a.start, sections)
                if label is not None
                else _prose_label(text, clause_start, a, sentence[1])
            )
        out.append(
            {
                "char_start": a.start,
                "char_end": a.end,
                "raw_text": text[a.start : a.end],
                "extractor": "amount_rule",
                "confidence": 0.8 if a.needs_money_context else 0.95,
                "value_sek": a.value_sek,
                "value_max_sek": a.value_max_sek,
                "unit": a.unit,
                "qualifier": a.qualifier,
                "kind": kind or "other",
                "label": label,
                "period": _period(text, sentence, a, doc.metadata.year),
                "source": "text",
                "table_id": None,
                "row_label": None,
                "column_label": None,
            }
        )
    return out


def extract_amounts(doc: ParsedDocument) -> list[dict]:
    """All amounts of ``doc``: text amounts and table-cell amounts, in document order."""
    records = extract_text_amounts(doc) + extract_table_amounts(doc)
    records.sort(key=lambda r: r["char_start"])
    return records
