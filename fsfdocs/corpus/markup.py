"""Parser for the ``corpus/src`` document markup.

The markup is line based::

    %title: Årsanalys 2024            metadata (``%key: value``) at the top
    # 1. Kontaktuppgifter              heading; the number of ``#`` is the level
    - text                             bullet item
    3. text                            numbered item
    :::pagebreak                       forced page break
    :::table header=1 title=Tkr        table; rows are ``cell | cell | cell``
    Tkr | Utfall | Budget
    :::
    any other line                     one paragraph (the renderer wraps it)

Blank lines separate blocks and carry no meaning otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

NUMBERED = re.compile(r"^(\d+)\.\s+(.*)$")


@dataclass
class Block:
    """One block of a source document."""

    kind: str  # heading | paragraph | bullet | numbered | pagebreak | table
    text: str = ""
    level: int = 0
    number: str = ""
    rows: list[list[str]] = field(default_factory=list)
    header_rows: int = 0


@dataclass
class SourceDocument:
    """A parsed source: metadata plus blocks in reading order."""

    meta: dict[str, str]
    blocks: list[Block]


def parse_source(text: str) -> SourceDocument:
    """Parse markup text into a :class:`SourceDocument`."""
    meta: dict[str, str] = {}
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        i += 1
        if not line.strip():
            continue
        if line.startswith("%") and not blocks:
            key, _, value = line[1:].partition(":")
            meta[key.strip()] = value.strip()
        elif line.startswith(":::pagebreak"):
            blocks.append(Block("pagebreak"))
        elif line.startswith(":::table"):
            opts = dict(o.split("=", 1) for o in line.split()[1:] if "=" in o)
            rows: list[list[str]] = []
            while i < len(lines) and lines[i].strip() != ":::":
                if lines[i].strip():
                    rows.append([c.strip() for c in lines[i].split("|")])
                i += 1
            i += 1
            blocks.append(Block("table", rows=rows, header_rows=int(opts.get("header", "1"))))
        elif line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            blocks.append(Block("heading", text=line[level:].strip(), level=level))
        elif line.startswith("- "):
            blocks.append(Block("bullet", text=line[2:].strip()))
        elif m := NUMBERED.match(line):
            blocks.append(Block("numbered", text=m.group(2), number=m.group(1)))
        else:
            blocks.append(Block("paragraph", text=line.strip()))
    return SourceDocument(meta, blocks)


def load_source(path: Path) -> SourceDocument:
    """Read and parse one source file."""
    return parse_source(path.read_text(encoding="utf-8"))
