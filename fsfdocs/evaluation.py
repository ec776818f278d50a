"""Run the pipeline on a folder of PDFs and score it against the gold (``fsfdocs eval``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from extractors.evaluate import GOLD_DIR, Scores, evaluate_document
from fsfdocs.discovery import sha256_of
from fsfdocs.processing import process_document

GOALS_FILE = GOLD_DIR / "goals.yaml"


@dataclass
class EvalReport:
    """Scores per (document, gold file), their micro-averaged totals, and the goals."""

    per_doc: dict[str, dict[str, Scores]] = field(default_factory=dict)
    goals: dict[str, dict[str, float]] = field(default_factory=dict)

    def totals(self) -> dict[str, Scores]:
        """Micro-averaged scores per gold file over all documents."""
        sums: dict[str, list[int]] = {}
        for scores in self.per_doc.values():
            for name, s in scores.items():
                acc = sums.setdefault(name, [0, 0, 0])
                acc[0] += s.tp
                acc[1] += s.fp
                acc[2] += s.fn
        return {name: _scores(*acc) for name, acc in sorted(sums.items())}

    def misses(self) -> list[str]:
        """Goals not met, as readable lines (empty when every goal holds)."""
        out = []
        for name, s in self.totals().items():
            for metric, minimum in self.goals.get(name, {}).items():
                value = getattr(s, metric)
                if value + 1e-9 < minimum:
                    out.append(f"{name}: {metric} {value:.3f} < goal {minimum}")
        return out


def _scores(tp: int, fp: int, fn: int) -> Scores:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return Scores(tp, fp, fn, p, r, f1)


def gold_stem_for(pdf: Path, gold_dir: Path = GOLD_DIR) -> str | None:
    """The gold folder of a PDF: the longest gold stem its file stem starts with.

    ``finsam-…-2020-skannad.pdf`` is scored against the gold of ``finsam-…-2020``.
    """
    stems = [p.name for p in gold_dir.iterdir() if p.is_dir()]
    matches = [s for s in stems if pdf.stem == s or pdf.stem.startswith(s + "-")]
    return max(matches, key=len) if matches else None


def evaluate_folder(raw_dir: Path, interim_dir: Path, gold_dir: Path = GOLD_DIR) -> EvalReport:
    """Parse (through the cache) and extract every PDF with gold in ``raw_dir``, and score it."""
    goals: dict[str, Any] = {}
    if (gold_dir / "goals.yaml").is_file():
        goals = yaml.safe_load((gold_dir / "goals.yaml").read_text(encoding="utf-8")) or {}
    report = EvalReport(goals=goals)
    for pdf in sorted(raw_dir.glob("*.pdf")):
        stem = gold_stem_for(pdf, gold_dir)
        if stem is None:
            continue
        result = process_document(str(pdf), sha256_of(pdf), str(interim_dir))
        report.per_doc[pdf.name] = evaluate_document(stem, result.tables, gold_dir)
    return report
