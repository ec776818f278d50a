"""Running headers and footers: lines repeating at the same place on most pages."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from fsfdocs.parse.layout import RawLine
from fsfdocs.parse.rules import layout_rules


@dataclass
class Furniture:
    """Which lines are running headers/footers, and their representative text."""

    removed: set[tuple[int, int]]  # (page index, line index)
    header: str | None
    footer: str | None


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", text)).strip().lower()


def _similar(a: str, b: str, fuzzy: bool, raw_a: str = "", raw_b: str = "") -> bool:
    if a == b:
        # Equal once digits are masked: the numbers may differ in at most two places (page
        # number, date), so table rows such as "Enhet 1  1 100" / "Enhet 2  2 100" do not match.
        da, db = re.findall(r"\d+", raw_a), re.findall(r"\d+", raw_b)
        return sum(x != y for x, y in zip(da, db, strict=False)) <= 2
    return fuzzy and SequenceMatcher(None, a, b).ratio() >= 0.85


def detect_furniture(
    pages: list[list[RawLine]], heights: list[float], fuzzy: list[bool] | None = None
) -> Furniture:
    """Find running headers/footers in the top and bottom bands of each page.

    A line is furniture when a line with the same text (digits normalised, so ``15 (66)`` and
    ``16 (66)`` match) sits at about the same distance from the page edge on at least
    ``min_page_share`` of the pages (and on two pages at least). A lone page number in the
    outermost line of a band is furniture on any page. ``fuzzy`` marks OCR pages, where the text
    of a repeated line may differ by a few misread characters.
    """
    rules = layout_rules()["furniture"]
    band = int(rules["band_lines"])
    page_no = [re.compile(p, re.I) for p in rules["page_number_patterns"]]
    fuzzy = fuzzy or [False] * len(pages)
    n = len(pages)
    need = max(2, math.ceil(float(rules["min_page_share"]) * n))
    cands: dict[str, list[tuple[int, int, str, float, str]]] = {"top": [], "bottom": []}
    for p, lines in enumerate(pages):
        for i in range(min(band, len(lines))):
            cands["top"].append((p, i, _normalise(lines[i].text), lines[i].top, lines[i].text))
        for i in range(max(0, len(lines) - band), len(lines)):
            pos = heights[p] - lines[i].bottom
            cands["bottom"].append((p, i, _normalise(lines[i].text), pos, lines[i].text))
    removed: set[tuple[int, int]] = set()
    zone_of: dict[tuple[int, int], str] = {}
    for zone, items in cands.items():
        for p, i, norm, pos, raw in items:
            tol = 0.02 * heights[p] + 4
            pages_seen = {
                q
                for q, _j, other, opos, oraw in items
                if abs(opos - pos) <= tol
                and _similar(norm, other, fuzzy[p] or fuzzy[q], raw, oraw)
            }
            if n >= 2 and len(pages_seen) >= need:
                removed.add((p, i))
                zone_of[(p, i)] = zone
    for p, lines in enumerate(pages):
        for i in {0, len(lines) - 1} if lines else set():
            if any(rx.match(lines[i].text) for rx in page_no):
                removed.add((p, i))
    header = _representative(pages, zone_of, "top", page_no)
    footer = _representative(pages, zone_of, "bottom", page_no)
    return Furniture(removed, header, footer)


def strip_page_number(text: str) -> str:
    """A running header/footer without its page number (``Årsanalys 2024 15 (66)`` → title)."""
    rx = re.compile(layout_rules()["furniture"]["trailing_page_number"], re.I)
    return rx.sub("", text).strip(" ,-–|")


def _representative(
    pages: list[list[RawLine]],
    zone_of: dict[tuple[int, int], str],
    zone: str,
    page_no: list[re.Pattern[str]],
) -> str | None:
    """The running header (or footer) text of the page carrying the most of it."""
    per_page: dict[int, list[int]] = {}
    for (p, i), z in zone_of.items():
        if z == zone and not any(rx.match(pages[p][i].text) for rx in page_no):
            per_page.setdefault(p, []).append(i)
    if not per_page:
        return None
    p = max(per_page, key=lambda k: (len(per_page[k]), -k))
    return " | ".join(pages[p][i].text for i in sorted(per_page[p]))
