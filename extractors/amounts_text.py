"""Recognising monetary amounts in Swedish running text: number, unit, sign, range, qualifier.

Pure string functions; the vocabularies (units, qualifiers, number words) come from
``extractors/rules/amounts.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from extractors.rules_loader import load_rules

_SPACE = "[ \u00a0\u202f]"
# Digit groups of three, separated by a (non-breaking) space or by a line break.
_GROUPED = rf"\d{{1,3}}(?:(?:{_SPACE}|[ \t]*\n[ \t]*)\d{{3}})+(?!\d)"
_NUMBER = rf"(?:{_GROUPED}|\d+)(?:,\d+)?"
# On OCR pages a narrow group space may be lost ("1053 804") or read as a dot ("1.053 804"): a
# first group of four digits (not a year) and dot separators are accepted there.
_OCR_GROUPED = (
    rf"(?:(?!(?:19|20)\d\d\D)\d{{4}}|\d{{1,3}})"
    rf"(?:(?:{_SPACE}|\.|[ \t]*\n[ \t]*)\d{{3}})+(?!\d)"
)
_OCR_NUMBER = rf"(?:{_OCR_GROUPED}|\d+)(?:,\d+)?"
_SIGN = r"[-−–+]"
_YEARLIKE = re.compile(r"(?:19|20)\d\d")


@dataclass
class TextAmount:
    """One amount found in text: its span, value(s) in SEK, unit and qualifier."""

    start: int
    end: int
    value_sek: int
    value_max_sek: int | None
    unit: str
    qualifier: str | None
    needs_money_context: bool


def _rules() -> dict[str, Any]:
    return load_rules("amounts.yaml")


@lru_cache(maxsize=8)
def _compiled(
    rules_id: int, ocr: bool = False
) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    rules = _rules()
    units = "|".join(f"(?:{u['pattern']})" for u in rules["units"])
    number = _OCR_NUMBER if ocr else _NUMBER
    numeric = re.compile(
        rf"(?<![\w,.:/\-−–+])(?P<sign>{_SIGN}{_SPACE}?)?(?<![\d,.:/])(?P<n1>{number})"
        rf"(?:{_SPACE}*(?:[-–—]|till){_SPACE}*(?P<n2>{number}))?"
        rf"(?P<gap>[ \t\u00a0\u202f]*(?:\n[ \t]*)?)(?P<unit>{units})(?![\wåäö])",
        re.IGNORECASE,
    )
    words = sorted(rules["number_words"], key=len, reverse=True)
    worded = re.compile(
        rf"(?<![\wåäö])(?P<word>{'|'.join(map(re.escape, words))})\s+"
        rf"(?P<unit>miljoner\s+kronor|miljon\s+kronor|miljarder\s+kronor|miljard\s+kronor"
        rf"|miljoner|miljon|miljarder|miljard)(?![\wåäö])",
        re.IGNORECASE,
    )
    quals = sorted(rules["qualifiers"], key=len, reverse=True)
    qualifier = re.compile(
        rf"(?:^|[\s(])(?P<q>{'|'.join(map(re.escape, quals))})\s*(?:om\s+)?$", re.IGNORECASE
    )
    return numeric, worded, qualifier


def _patterns(ocr: bool = False) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    return _compiled(id(_rules()), ocr)


def parse_number(text: str) -> Decimal:
    """A Swedish number (``1 148 000``, ``4,1``, digit groups split by a line break or, from
    OCR, a dot) as Decimal."""
    digits = re.sub(r"[\s\u00a0\u202f]|\.(?=\d{3})", "", text).replace(",", ".")
    return Decimal(digits)


def _unit_of(unit_text: str) -> dict[str, Any]:
    low = " ".join(unit_text.lower().split())
    for u in _rules()["units"]:
        if re.fullmatch(u["pattern"], low):
            return u
    raise ValueError(f"unknown unit {unit_text!r}")


def _qualifier_before(text: str, start: int) -> str | None:
    window = text[max(0, start - 40) : start]
    m = _patterns()[2].search(window)
    if not m:
        return None
    return _rules()["qualifiers"][m.group("q").lower()]


def find_text_amounts(text: str, ocr: bool = False) -> list[TextAmount]:
    """Every amount with a money unit in ``text`` (no context checks yet), in order.

    ``ocr`` accepts the digit groups OCR produces (``1053 804``, ``1.053 804``).
    """
    numeric, worded, _ = _patterns(ocr)
    found: list[TextAmount] = []
    for m in numeric.finditer(text):
        unit = _unit_of(m.group("unit"))
        factor = Decimal(unit["factor"])
        sign = -1 if m.group("sign") and m.group("sign")[0] in "-−–" else 1
        low = parse_number(m.group("n1")) * factor * sign
        high = parse_number(m.group("n2")) * factor * sign if m.group("n2") else None
        start = m.start("sign") if m.group("sign") else m.start("n1")
        if high is not None and (_YEARLIKE.fullmatch(m.group("n1")) or abs(low) > abs(high)):
            # "från 114 miljoner 2023 till 35 miljoner": not a range, the amount is the second
            low, high, sign, start = high, None, 1, m.start("n2")
        found.append(
            TextAmount(
                start,
                m.end("unit"),
                int(low.to_integral_value()),
                int(high.to_integral_value()) if high is not None else None,
                unit["unit"],
                _qualifier_before(text, start),
                bool(unit.get("needs_money_context")),
            )
        )
    taken = [(a.start, a.end) for a in found]
    for m in worded.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        unit = _unit_of(m.group("unit"))
        value = Decimal(str(_rules()["number_words"][m.group("word").lower()])) * unit["factor"]
        found.append(
            TextAmount(
                m.start(),
                m.end(),
                int(value),
                None,
                unit["unit"],
                _qualifier_before(text, m.start()),
                bool(unit.get("needs_money_context")),
            )
        )
    found.sort(key=lambda a: a.start)
    return found


def has_money_context(sentence: str) -> bool:
    """Whether a sentence speaks of money (for bare ``miljoner`` without ``kronor``)."""
    low = sentence.lower()
    for w in _rules()["money_context"]:
        # short words (kr, sek) stand alone; longer ones may end a compound (årskostnaden)
        pattern = rf"(?<![a-zåäö]){re.escape(w)}(?![a-zåäö])" if len(w) <= 3 else re.escape(w)
        if re.search(pattern, low):
            return True
    return False
