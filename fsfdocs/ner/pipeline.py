"""Build and load the fsfdocs NER pipeline: ``spacy.blank("sv")`` → ``entity_ruler`` → ``ner``.

The ruler runs first; the statistical ``ner`` keeps the spans the ruler set and labels the rest
of the text around them, so gazetteer names and MALGRUPP phrasing are exact while unseen person,
organisation and place names come from the model.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language

from fsfdocs.ner.paths import PATTERNS_PATH, model_dir
from fsfdocs.ner.patterns import build_patterns

RULER_NAME = "entity_ruler"


def add_ruler(nlp: Language, patterns_path: Path = PATTERNS_PATH) -> Language:
    """Add (or replace) the entity ruler with the vocabulary's patterns, before ``ner``."""
    if RULER_NAME in nlp.pipe_names:
        nlp.remove_pipe(RULER_NAME)
    where = {"before": "ner"} if "ner" in nlp.pipe_names else {}
    ruler = nlp.add_pipe(
        RULER_NAME, config={"overwrite_ents": False, "validate": True}, **where
    )
    ruler.add_patterns(build_patterns(patterns_path))
    return nlp


def blank_pipeline() -> Language:
    """A blank Swedish pipeline with the ruler only (no statistical model)."""
    return add_ruler(spacy.blank("sv"))


@lru_cache(maxsize=2)
def _load(path: str) -> Language:
    return spacy.load(path)


def load_pipeline(path: Path | str | None = None) -> Language:
    """The trained pipeline from ``models/ner_sv`` (or ``path``), loaded once per process."""
    target = Path(path) if path is not None else model_dir()
    if not (target / "meta.json").exists():
        raise FileNotFoundError(f"No trained NER pipeline at {target}; run `fsfdocs train-ner`.")
    return _load(str(target.resolve()))
