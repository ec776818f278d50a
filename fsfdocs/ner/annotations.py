"""Our own annotated sentences (``data/annotations/*.jsonl``) and their fixed held-out split.

One JSON object a line: ``{"id": "...", "source": "<corpus file>", "text": "...",
"spans": [{"start": 0, "end": 10, "label": "ORG"}, ...]}`` with character offsets into ``text``.
The split is by a hash of ``id``, so it is seeded, stable, and unchanged when sentences are added.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from fsfdocs.ner import LABELS

Record = dict[str, Any]
HELD_OUT_PERCENT = 20
SPLIT_SEED = "fsfdocs-ner-v1"


def load_annotations(directory: Path) -> list[Record]:
    """All records of the ``*.jsonl`` files in ``directory``, validated, in file order."""
    out: list[Record] = []
    for path in sorted(directory.glob("*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            for n, line in enumerate(fh, start=1):
                if line.strip():
                    rec = json.loads(line)
                    _validate(rec, f"{path.name}:{n}")
                    out.append(rec)
    return out


def _validate(rec: Record, where: str) -> None:
    text = rec["text"]
    for s in rec["spans"]:
        if s["label"] not in LABELS:
            raise ValueError(f"{where}: unknown label {s['label']!r}")
        if not (0 <= s["start"] < s["end"] <= len(text)):
            raise ValueError(f"{where}: span {s} outside the text")


def is_held_out(record_id: str, percent: int = HELD_OUT_PERCENT) -> bool:
    """Whether a record belongs to the held-out evaluation split (hash of seed and id)."""
    digest = hashlib.sha256(f"{SPLIT_SEED}:{record_id}".encode()).hexdigest()
    return int(digest[:8], 16) % 100 < percent


def split(records: list[Record]) -> tuple[list[Record], list[Record]]:
    """``(train, held_out)``."""
    train = [r for r in records if not is_held_out(r["id"])]
    held = [r for r in records if is_held_out(r["id"])]
    return train, held


def record_to_doc(nlp: Language, rec: Record) -> Doc:
    """The tokenised text with the record's spans as entities; spans must align to tokens."""
    doc = nlp.make_doc(rec["text"])
    ents = []
    for s in rec["spans"]:
        span = doc.char_span(s["start"], s["end"], label=s["label"], alignment_mode="strict")
        if span is None:
            raise ValueError(
                f"{rec['id']}: span {rec['text'][s['start']:s['end']]!r} does not align to tokens"
            )
        ents.append(span)
    doc.ents = ents
    return doc
