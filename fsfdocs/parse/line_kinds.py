"""Line kinds (heading, list item, body) and paragraph blocks from font and wording cues."""

from __future__ import annotations

import re
from collections import Counter

from fsfdocs.parse.layout import RawLine
from fsfdocs.parse.rules import layout_rules


def body_font_size(lines: list[RawLine]) -> float:
    """The most common font size over all words, weighted by characters."""
    sizes: Counter[float] = Counter()
    for ln in lines:
        for w in ln.words:
            sizes[round(w.size * 2) / 2] += len(w.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def classify(line: RawLine, body_size: float, ocr: bool = False) -> str:
    """``heading``, ``list_item`` or ``body`` for one visual line."""
    rules = layout_rules()["lines"]
    text = line.text.strip()
    words = text.split()
    short = len(text) <= rules["heading_max_chars"] and len(words) <= rules["heading_max_words"]
    ends_sentence = bool(re.search(r"[.;,!?]\s*$", text))
    ratio = float(rules["heading_size_ratio"]) + (0.15 if ocr else 0.0)
    big = line.size >= body_size * ratio
    starts_upper = bool(re.match(r"^\W*(\d+(\.\d+)*(\.?\s+|\.))?[A-ZÅÄÖ]", text))
    if re.match(rules["numbered_heading_multi"], text) and short and not ends_sentence:
        return "heading"
    if short and not ends_sentence and starts_upper and (big or line.bold) and len(text) > 1:
        return "heading"
    if re.match(rules["numbered_heading_single"], text) and len(words) <= 6 and not ends_sentence:
        return "heading"
    if re.match(rules["list_item"], text):
        return "list_item"
    return "body"
