"""Words with boxes grouped into visual lines and column segments (shared by PDF text and OCR).

Coordinates are PDF points with the origin at the top-left of the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median


@dataclass
class Word:
    """One word (no spaces inside) with its box, font size and boldness."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    bold: bool = False


@dataclass
class Segment:
    """A run of words on one line separated from its neighbours by a column-wide gap."""

    words: list[Word]

    @property
    def text(self) -> str:
        return join_words(self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1


@dataclass
class RawLine:
    """A visual line of one page before furniture removal and table detection."""

    page: int
    words: list[Word]
    segments: list[Segment] = field(default_factory=list)
    kind: str = "body"

    @property
    def text(self) -> str:
        return join_words(self.words)

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def size(self) -> float:
        return median(w.size for w in self.words)

    @property
    def bold(self) -> bool:
        return sum(len(w.text) for w in self.words if w.bold) > 0.6 * sum(
            len(w.text) for w in self.words
        )


def join_words(words: list[Word]) -> str:
    """Words joined with one space each (the text of a line or cell)."""
    return " ".join(w.text for w in words)


def group_lines(words: list[Word], page: int, column_gap: float = 1.0) -> list[RawLine]:
    """Group words into visual lines (top to bottom, left to right) and split them into segments.

    Two words belong to one line when their vertical extents overlap by more than half the
    smaller height. A gap wider than ``column_gap`` times the font size starts a new segment:
    ordinary word spaces (and the single spaces inside ``1 053 804``) stay within a segment.
    """
    if not words:
        return []
    ordered = sorted(words, key=lambda w: ((w.top + w.bottom) / 2, w.x0))
    rows: list[list[Word]] = []
    row_top = row_bottom = 0.0
    for w in ordered:
        if rows:
            overlap = min(row_bottom, w.bottom) - max(row_top, w.top)
            height = min(row_bottom - row_top, w.bottom - w.top) or 1.0
            if overlap > 0.5 * height:
                rows[-1].append(w)
                row_top, row_bottom = min(row_top, w.top), max(row_bottom, w.bottom)
                continue
        rows.append([w])
        row_top, row_bottom = w.top, w.bottom
    lines = []
    for row in rows:
        row.sort(key=lambda w: w.x0)
        lines.append(RawLine(page, row, split_segments(row, column_gap)))
    return lines


def split_segments(words: list[Word], column_gap: float = 1.0) -> list[Segment]:
    """Split one line's words (sorted by x) where the gap exceeds ``column_gap`` × font size."""
    gaps = [w.x0 - prev.x1 for prev, w in zip(words, words[1:], strict=False)]
    threshold = column_gap * max(min((w.size for w in words), default=4.0), 4.0)
    typical = sorted(gaps)[(len(gaps) - 1) // 2] if gaps else 0.0
    if len(gaps) >= 3 and min(gaps) >= 0.5 * typical:
        # Justified text spreads every word gap alike: a column gap must stand out from them.
        # (A table row mixes word spaces with column gaps, so its gaps are not alike.)
        threshold = max(threshold, 1.6 * typical)
    segments = [Segment([words[0]])]
    for gap, w in zip(gaps, words[1:], strict=True):
        if gap > threshold:
            segments.append(Segment([w]))
        else:
            segments[-1].words.append(w)
    return segments
