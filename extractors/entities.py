"""Named entities (ORG, PERSON, PLACE, MALGRUPP) of a parsed document, by fsfdocs' own Swedish
spaCy pipeline (``models/ner_sv``; see :mod:`fsfdocs.ner`)."""

from __future__ import annotations

from typing import Any

from fsfdocs.model import ParsedDocument
from fsfdocs.ner.extract import extract_entities as _extract_entities
from fsfdocs.ner.extract import find_target_group_phrases as _find_target_group_phrases

__all__ = ["extract_entities", "find_target_group_phrases"]


def extract_entities(doc: ParsedDocument) -> list[dict[str, Any]]:
    """Entity records with ``label``, ``text``, ``char_start``, ``char_end``, ``raw_text``,
    ``extractor`` (``ner`` | ``ner_ruler``) and ``confidence``, in text order."""
    return _extract_entities(doc)


def find_target_group_phrases(doc: ParsedDocument) -> list[dict[str, Any]]:
    """The MALGRUPP phrases (target groups) of the document, same record shape."""
    return _find_target_group_phrases(doc)
