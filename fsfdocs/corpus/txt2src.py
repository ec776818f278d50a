"""One-off bootstrap: turn an extracted corpus ``.txt`` into a draft ``corpus/src`` markup file.

The drafts were then edited by hand (tables, lists, headings); the committed files in
``corpus/src/`` are the source of truth and this tool is kept only to document how they began.
Heuristics: paragraph lines are joined until a short line or a sentence end on a short line;
short lines without final punctuation that follow a paragraph end are headings; page-break
artefacts (leading space, ``N (M)`` footers) are dropped.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

FOOTER = re.compile(r"^.{0,80}\s\d+\s\(\d+\)\s*$")
BULLET = re.compile(r"^[•\-]\s*")
NUMHEAD = re.compile(r"^\d+(\.\d+)*\.?\s+\S")


def convert(text: str, auto_headings: bool = True) -> str:
    """Draft markup for one extracted text.

    Lines already starting with markup (``#``, ``:::``, ``|``-rows, ``¶``) pass through; with
    ``auto_headings=False`` only such hand-marked lines become headings.
    """
    raw = [ln.rstrip() for ln in text.splitlines()]
    lines = [ln.strip() for ln in raw if not FOOTER.match(ln.strip())]
    nonblank = sorted(len(ln) for ln in lines if ln)
    width = nonblank[int(len(nonblank) * 0.9)]
    out: list[str] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            out.append(" ".join(para).replace("  ", " "))
            out.append("")
            para.clear()

    for idx, ln in enumerate(lines):
        nxt = next((x for x in lines[idx + 1:] if x), "")
        if ln.startswith(("#", ":::", "%")) or "|" in ln or ln.startswith("¶"):
            flush()
            if ln.startswith("¶"):
                ln = ln[1:].strip()
                if ln:
                    para.append(ln)
                continue
            out.append(ln)
            if not ("|" in ln or ln.startswith(":::table")):
                out.append("")
            continue
        if not ln:
            # blank lines end a paragraph only when the previous line was short
            if para and len(para[-1]) < 0.8 * width:
                flush()
            continue
        short = len(ln) < 0.75 * width
        ends = ln[-1] in ".,;:!?)"
        if re.match(r"^\d+\.\s+\S", ln) and not auto_headings:
            flush()
        if BULLET.match(ln) and ln[0] in "•-":
            flush()
            para.append("- " + BULLET.sub("", ln))
            continue
        if auto_headings and not para and short and not ends and (
                ln[0].isupper() or NUMHEAD.match(ln)) and not (
                nxt[:1].islower() and len(nxt) >= 0.75 * width):
            out.append("## " + ln)
            out.append("")
            continue
        # continue a heading on a following lowercase short line
        if (auto_headings and not para and len(out) > 1 and out[-1] == ""
                and out[-2].startswith("## ") and short and ln[0].islower()):
            out[-2] += " " + ln
            continue
        if para and para[-1].endswith("-") and not para[-1].endswith(" -") \
                and not ln.startswith(("och ", "eller ", "samt ")):
            para[-1] = para[-1] + ln  # joined hyphenated word (checked by hand later)
        else:
            para.append(ln)
        if len(ln) < 0.8 * width and ends:
            flush()
    flush()
    return "\n".join(out).replace(" \n", "\n")


if __name__ == "__main__":
    src = Path(sys.argv[1])
    auto = "--manual" not in sys.argv
    text = convert(src.read_text(encoding="utf-8"), auto_headings=auto)
    Path(sys.argv[2]).write_text(text, encoding="utf-8")
