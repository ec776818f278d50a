"""The Webbnyheter 2012 Swedish NER corpus (CC BY 4.0) as spaCy training docs.

Format: one ``token<TAB>label`` per line (a few lines use a space), blank line between
sentences, labels ``PER``/``ORG``/``LOC``/``MISC`` and ``0`` for outside, no B-/I- prefixes
(consecutive tokens with one label are one entity). Mapping to our labels: ``PER`` → PERSON,
``ORG`` → ORG, ``LOC`` → PLACE; ``MISC`` and the stray ``bn`` are dropped (left outside), so the
model is not taught that events, works or nationalities are names.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

TAG_MAP = {"PER": "PERSON", "ORG": "ORG", "LOC": "PLACE"}
NO_SPACE_BEFORE = set(".,:;!?)]}%»”'")
NO_SPACE_AFTER = set("([{«“")

Sentence = list[tuple[str, str]]


def read_sentences(path: Path) -> Iterator[Sentence]:
    """Sentences of ``(token, label)`` pairs; soft hyphens are removed from tokens."""
    sent: Sentence = []
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            line = raw.rstrip("\n")
            if not line.strip():
                if sent:
                    yield sent
                sent = []
                continue
            token, _, label = line.replace("\t", " ").rpartition(" ")
            token = token.strip().replace("\xad", "") or "-"
            sent.append((token, label.strip()))
    if sent:
        yield sent


def sentence_to_doc(vocab: Vocab, sent: Sentence) -> Doc:
    """A spaCy Doc of the tokens (natural spacing) with the mapped entities set."""
    words = [t for t, _ in sent]
    spaces = [
        i + 1 < len(words) and words[i + 1] not in NO_SPACE_BEFORE and w not in NO_SPACE_AFTER
        for i, w in enumerate(words)
    ]
    doc = Doc(vocab, words=words, spaces=spaces)
    ents: list[Span] = []
    i = 0
    while i < len(sent):
        label = TAG_MAP.get(sent[i][1])
        j = i + 1
        while j < len(sent) and sent[j][1] == sent[i][1]:
            j += 1
        if label:
            ents.append(Span(doc, i, j, label=label))
        i = j
    doc.ents = ents
    return doc


def load_docs(path: Path, vocab: Vocab, limit: int | None = None) -> list[Doc]:
    """The first ``limit`` (all when None) sentences of a corpus file as Docs."""
    out = []
    for n, sent in enumerate(read_sentences(path)):
        if limit is not None and n >= limit:
            break
        out.append(sentence_to_doc(vocab, sent))
    return out
