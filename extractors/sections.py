"""Document sections: numbered and unnumbered headings with the span of each section's body.

Headings come from the parse layer (``Line.kind == "heading"``) when it marks any; otherwise
numbered headings (``1.``, ``1.3 Title``, ``3.7. Budget i kronor``) are recognised on short lines,
with the numbering in force deciding between a heading and an item of a numbered list.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from extractors.rules_loader import load_rules
from fsfdocs.model import Line, ParsedDocument

_NUMBERED = re.compile(r"^\s*(\d{1,4}(?:\.\d{1,3})*)(\.?)\s*([A-ZÅÄÖÉÜ\"“”(].*)$")


@dataclass
class Section:
    """One section: its number, title, depth, parent number and span in the text."""

    section_no: str | None
    title: str
    level: int
    parent_no: str | None
    char_start: int
    char_end: int

    @property
    def label(self) -> str:
        """``"<section_no> <title>"``, or the title alone for an unnumbered heading."""
        return f"{self.section_no} {self.title}" if self.section_no else self.title


def _rules() -> dict[str, Any]:
    return load_rules("sections.yaml")


def _reference_width(lines: list[Line], floor: int) -> float:
    lengths = sorted(len(ln.text.strip()) for ln in lines if len(ln.text.strip()) > 20)
    if not lengths:
        return float(floor)
    return max(float(lengths[int(0.9 * (len(lengths) - 1))]), float(floor))


def _split_number(text: str) -> tuple[str, str] | None:
    m = _NUMBERED.match(text)
    if not m:
        return None
    number, dot, title = m.groups()
    # "4.3.Aktiviteter" (no space) is fine; "1Title" without dot or space is not a heading.
    if not dot and "." not in number and not text[m.end(1) :].startswith((" ", "\t")):
        return None
    return number, title.strip()


def _continues(number: str, current: list[int], max_jump: int) -> bool:
    """Whether heading ``number`` continues the numbering ``current`` (the open heading path)."""
    parts = [int(p) for p in number.split(".")]
    depth = len(parts)
    if depth > len(current) + 1:
        return False
    if parts[:-1] != current[: depth - 1]:
        return False
    previous = current[depth - 1] if depth <= len(current) else 0
    return previous < parts[-1] <= previous + max_jump


def _numbered_headings(doc: ParsedDocument) -> list[tuple[str | None, str, int, int]]:
    """(number, title, line index of start, line index of last title line) found by pattern."""
    rules = _rules()
    lines = doc.lines
    width = _reference_width(lines, rules["min_reference_width"])
    max_len = rules["max_relative_length"] * width
    rejects = [re.compile(p, re.IGNORECASE) for p in rules["reject_if_contains"]]
    current: list[int] = []
    found: list[tuple[str | None, str, int, int]] = []
    for i, line in enumerate(lines):
        text = line.text.strip()
        if not text or len(text) > max_len or line.kind in ("table", "list_item"):
            continue
        split = _split_number(text)
        if split is None:
            continue
        number, title = split
        top = int(number.split(".")[0])
        if top > rules["max_top_number"] or any(r.search(text) for r in rejects):
            continue
        if not _continues(number, current, rules["max_top_jump"]):
            continue
        # Join the wrapped rest of the title: short following lines that begin in lower case.
        parts, last = [title], i
        for j in range(i + 1, min(i + rules["max_title_lines"], len(lines))):
            nxt = lines[j].text.strip()
            if not nxt or len(nxt) > max_len or not nxt[0].islower():
                break
            parts.append(nxt)
            last = j
        full = " ".join(parts)
        if len(parts) == 1 and full.endswith("."):
            continue  # a one-line sentence: an item of a numbered list
        current = [int(p) for p in number.split(".")]
        found.append((number, full.rstrip(" :"), i, last))
    return found


def _body_font_size(lines: list[Line]) -> float | None:
    """The most common font size of body lines (None when the parse layer gives no sizes)."""
    sizes = Counter(
        round(ln.font_size * 2) / 2 for ln in lines if ln.kind == "body" and ln.font_size
    )
    return sizes.most_common(1)[0][0] if sizes else None


def _wraps_title(first: Line, previous: Line, line: Line, body_size: float | None) -> bool:
    """Whether ``line`` is the wrapped rest of the heading that starts at ``first``.

    The parse layer marks a wrapped heading's later lines as body, since they start in lower
    case; they are recognised by the heading's own style (same size and weight, set apart from
    the body text), the same page, a line gap no larger than the heading's size and a
    lower-case start.
    """
    text = line.text.strip()
    if not text or line.page != first.page or line.kind in ("table", "caption"):
        return False
    if not text[0].islower() or previous.text.rstrip().endswith((".", ":", "?", "!")):
        return False
    if first.font_size is None or line.font_size is None or line.bold != first.bold:
        return False
    if abs(line.font_size - first.font_size) > 0.25:
        return False
    stands_out = first.bold or (body_size is not None and first.font_size > body_size + 0.5)
    gap = line.top - previous.bottom
    return stands_out and gap <= first.font_size


def _marked_headings(doc: ParsedDocument) -> list[tuple[str | None, str, int, int]]:
    """Headings the parse layer marked; adjacent heading lines of one block are one heading."""
    found: list[tuple[str | None, str, int, int]] = []
    lines = doc.lines
    body_size = _body_font_size(lines)
    i = 0
    while i < len(lines):
        if lines[i].kind != "heading" or not lines[i].text.strip():
            i += 1
            continue
        j = i
        while j + 1 < len(lines) and (
            (
                lines[j + 1].kind == "heading"
                and lines[j + 1].block == lines[i].block
                and lines[j + 1].text.strip()
            )
            or _wraps_title(lines[i], lines[j], lines[j + 1], body_size)
        ):
            j += 1
        text = " ".join(ln.text.strip() for ln in lines[i : j + 1])
        split = _split_number(text)
        number, title = split if split else (None, text)
        found.append((number, title.rstrip(" :"), i, j))
        i = j + 1
    return found


def find_sections(doc: ParsedDocument) -> list[Section]:
    """The document's sections in order, each spanning its heading and body."""
    lines = doc.lines
    marked = any(ln.kind == "heading" for ln in lines)
    headings = _marked_headings(doc) if marked else _numbered_headings(doc)
    # Levels of unnumbered headings: rank of font size among heading sizes (largest = 1).
    sizes = sorted(
        {lines[i].font_size for _, _, i, _ in headings if lines[i].font_size}, reverse=True
    )
    sections: list[Section] = []
    open_path: list[Section] = []
    for number, title, first, _last in headings:
        if number:
            level = number.count(".") + 1
        elif lines[first].font_size and sizes:
            level = sizes.index(lines[first].font_size) + 1
        else:
            level = 1
        while open_path and open_path[-1].level >= level:
            open_path.pop()
        parent = next((s.section_no for s in reversed(open_path) if s.section_no), None)
        if number and "." in number:
            parent = number.rsplit(".", 1)[0]
        sec = Section(number, title, level, parent, lines[first].char_start, len(doc.text))
        sections.append(sec)
        open_path.append(sec)
    # A section's body ends where the next section of the same or a higher level starts.
    for k, sec in enumerate(sections):
        for nxt in sections[k + 1 :]:
            if nxt.level <= sec.level:
                sec.char_end = nxt.char_start
                break
    return sections


def section_label_at(sections: list[Section], offset: int) -> str | None:
    """Label of the innermost section holding ``offset`` (``"1.3 Aktiviteter …"``), or None."""
    best: Section | None = None
    for sec in sections:
        if sec.char_start <= offset < sec.char_end:
            if best is None or sec.level >= best.level:
                best = sec
    return best.label if best else None


def extract_sections(
    doc: ParsedDocument, sections: list[Section] | None = None
) -> list[dict[str, Any]]:
    """The ``sections`` records: one per heading, spanning the heading's text.

    ``sections`` are those :func:`find_sections` found, when the caller already has them.
    """
    out = []
    for sec in find_sections(doc) if sections is None else sections:
        end = doc.text.find("\n", sec.char_start)
        end = sec.char_end if end < 0 else min(end, sec.char_end)
        out.append(
            {
                "section_no": sec.section_no,
                "title": sec.title,
                "level": sec.level,
                "parent_no": sec.parent_no,
                "char_start": sec.char_start,
                "char_end": end,
                "raw_text": doc.text[sec.char_start : end],
                "extractor": "rule",
                "confidence": 1.0,
            }
        )
    return out
