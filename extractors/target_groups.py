"""Target groups (målgrupper) named in a document, mapped to the category vocabulary.

Phrase patterns live in ``extractors/rules/target_groups.yaml``. :func:`categorize_phrase` maps a
phrase found elsewhere (the NER pipeline) to categories with the same rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from extractors.literal_scan import ScanText, scan
from extractors.rules_loader import load_rules
from fsfdocs.model import ParsedDocument

Record = dict[str, Any]


@dataclass
class _Rule:
    category: str
    regex: re.Pattern[str]
    confidence: float
    not_after: re.Pattern[str] | None = None


@dataclass
class _Match:
    start: int
    end: int
    categories: list[str]
    confidence: float


def _compile(body: str, case_sensitive: bool = False) -> re.Pattern[str]:
    end = "" if body.endswith(r"\w*") else r"(?![\w])"
    return re.compile(rf"(?<![\w]){body}{end}", 0 if case_sensitive else re.IGNORECASE)


@lru_cache(maxsize=4)
def _table(_key: int) -> dict[str, Any]:
    rules = load_rules("target_groups.yaml")
    items: list[_Rule] = []
    for category, patterns in rules["categories"].items():
        for p in patterns or []:
            not_after = re.compile(p["not_after"], re.IGNORECASE) if p.get("not_after") else None
            rx = _compile(p["regex"], bool(p.get("case_sensitive")))
            items.append(_Rule(category, rx, float(p["confidence"]), not_after))
    pk = rules["personkrets"]
    coord = rules["coordinated"]
    adjectives = coord["adjectives"]
    adj = "(?:" + "|".join(re.escape(a) for a in adjectives) + r")(?:a|t)?"
    coord_rx = _compile(rf"{adj}(?:\s*(?:,|och|eller|och/eller|/)\s*{adj})+\s+{coord['head']}")
    return {
        "items": items,
        "personkrets": (_compile(pk["regex"]), float(pk["confidence"])),
        "coordinated": (coord_rx, adjectives, float(coord["confidence"])),
        "exclude": [re.compile(x, re.IGNORECASE) for x in rules.get("exclude") or []],
    }


def _rules() -> dict[str, Any]:
    return _table(id(load_rules("target_groups.yaml")))


def _find(text: str) -> list[_Match]:
    t = _rules()
    found: list[_Match] = []
    target = ScanText(text)
    for rule in t["items"]:
        for m in scan(rule.regex, target):
            if rule.not_after and rule.not_after.match(text, m.end()):
                continue
            found.append(_Match(m.start(), m.end(), [rule.category], rule.confidence))
    rx, conf = t["personkrets"]
    for m in rx.finditer(text):
        nums = sorted(set(re.findall(r"[123]", m["nums"])))
        found.append(_Match(m.start(), m.end(), [f"personkrets_{n}" for n in nums], conf))
    rx, adjectives, conf = t["coordinated"]
    for m in rx.finditer(text):
        phrase = m.group(0).lower()
        cats = [c for a, c in adjectives.items() if re.search(rf"\b{a}", phrase)]
        found.append(_Match(m.start(), m.end(), cats, conf))
    excluded = [(m.start(), m.end()) for x in t["exclude"] for m in x.finditer(text)]
    found = [f for f in found if not any(s <= f.start < e for s, e in excluded)]
    # Drop mentions strictly inside a longer one.
    kept = [
        f
        for f in found
        if not any(
            g.start <= f.start and f.end <= g.end and (g.end - g.start) > (f.end - f.start)
            for g in found
        )
    ]
    kept.sort(key=lambda f: (f.start, f.end))
    return kept


def categorize_phrase(text: str) -> list[str]:
    """The target-group categories a phrase belongs to, sorted (empty when none).

    ``categorize_phrase("barn och unga med funktionsnedsättning")`` →
    ``["barn_och_unga", "funktionsnedsattning"]``.
    """
    cats: set[str] = set()
    for m in _find(text):
        cats.update(m.categories)
    return sorted(cats)


def extract_target_groups(doc: ParsedDocument) -> list[dict]:
    """One record per target-group mention and category in ``doc.text`` (extractor ``rule``)."""
    out: list[Record] = []
    for m in _find(doc.text):
        for category in m.categories:
            out.append(
                {
                    "category": category,
                    "char_start": m.start,
                    "char_end": m.end,
                    "raw_text": doc.text[m.start : m.end],
                    "extractor": "rule",
                    "confidence": m.confidence,
                }
            )
    return out
