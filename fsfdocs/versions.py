"""Versions stamped on every curated record: the pipeline's and the rules'.

``rules_version`` is a short, stable hash of every rule file (``extractors/rules/**``), the shipped
NER model's metadata and :data:`extractors.EXTRACTORS_VERSION`. Re-extraction compares it with the
version stored on a document's records to find what is stale.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from extractors import EXTRACTORS_VERSION
from fsfdocs import __version__
from fsfdocs.settings import MODELS_DIR, rules_dir

PIPELINE_VERSION = __version__
NER_MODEL_FILES = ("ner_sv/meta.json", "ner_sv/config.cfg")


@dataclass(frozen=True)
class RulesVersion:
    """The rules version and the files it covers (paths as given, with their sha256)."""

    version: str
    files: tuple[tuple[str, str], ...]
    extractors_version: str


def rule_files(rules: Path | None = None, models_dir: Path = MODELS_DIR) -> list[Path]:
    """Every file that shapes extraction output: rule files and the NER model's metadata."""
    rules = rules or Path(rules_dir())
    files = sorted(p for p in rules.rglob("*") if p.is_file() and p.suffix in {".yaml", ".yml"})
    files += [models_dir / name for name in NER_MODEL_FILES if (models_dir / name).is_file()]
    return files


def compute_rules_version(rules: Path | None = None, models_dir: Path = MODELS_DIR) -> RulesVersion:
    """Hash the rule files (by path relative to their folder and content) with the code version."""
    total = hashlib.sha256(f"extractors={EXTRACTORS_VERSION}\n".encode())
    listed: list[tuple[str, str]] = []
    rules = rules or Path(rules_dir())
    for path in rule_files(rules, models_dir):
        base = rules if path.is_relative_to(rules) else models_dir
        rel = path.relative_to(base).as_posix()
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        total.update(f"{rel}={digest}\n".encode())
        listed.append((str(path), digest))
    return RulesVersion(total.hexdigest()[:16], tuple(listed), EXTRACTORS_VERSION)
