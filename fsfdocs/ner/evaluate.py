"""Per-label precision / recall / F1 of the NER pipeline on the Webbnyheter test file and on the
held-out split of our own annotations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example

from fsfdocs.ner import LABELS
from fsfdocs.ner.annotations import load_annotations, record_to_doc, split
from fsfdocs.ner.corpus import load_docs


@dataclass
class LabelScore:
    """Scores of one label (``support``: gold entities of that label)."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class EvalReport:
    """Scores of one evaluation set: per label and micro-averaged over ``labels``."""

    name: str
    n_docs: int
    labels: list[LabelScore] = field(default_factory=list)
    micro: LabelScore | None = None


def score(nlp: Language, gold: Iterable[Doc], name: str,
          labels: tuple[str, ...] = LABELS, disable: tuple[str, ...] = ()) -> EvalReport:
    """Run ``nlp`` (minus ``disable``d pipes) on the gold docs' words and score the entities."""
    examples = [Example(nlp.make_doc(d.text), d) for d in gold]
    with nlp.select_pipes(disable=[p for p in disable if p in nlp.pipe_names]):
        for ex, pred in zip(examples, nlp.pipe(ex.predicted for ex in examples), strict=True):
            ex.predicted = pred
    counts = {lab: [0, 0, 0] for lab in labels}  # tp, fp, fn
    for ex in examples:
        pred = {(e.start_char, e.end_char, e.label_) for e in ex.predicted.ents}
        ref = {(e.start_char, e.end_char, e.label_) for e in ex.reference.ents}
        for lab in labels:
            p = {x for x in pred if x[2] == lab}
            r = {x for x in ref if x[2] == lab}
            counts[lab][0] += len(p & r)
            counts[lab][1] += len(p - r)
            counts[lab][2] += len(r - p)
    report = EvalReport(name, len(examples))
    report.labels = [_prf(lab, *c) for lab, c in counts.items()]
    report.micro = _prf("ALL", *(sum(c[i] for c in counts.values()) for i in range(3)))
    return report


def _prf(label: str, tp: int, fp: int, fn: int) -> LabelScore:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return LabelScore(label, round(p, 4), round(r, 4), round(f, 4), tp + fn)


def evaluate_pipeline(nlp: Language, corpus_test: Path | None, annotations_dir: Path,
                      test_limit: int | None = None) -> list[EvalReport]:
    """The standard reports: news test file (ORG/PERSON/PLACE, full pipeline), our held-out
    sentences with the full pipeline and with the statistical ``ner`` alone."""
    reports = []
    if corpus_test is not None and corpus_test.exists():
        news = load_docs(corpus_test, nlp.vocab, limit=test_limit)
        reports.append(score(nlp, news, "webbnyheter test", labels=("ORG", "PERSON", "PLACE")))
    _, held = split(load_annotations(annotations_dir))
    if held:
        gold = [record_to_doc(nlp, r) for r in held]
        reports.append(score(nlp, gold, "own held-out (ruler + ner)"))
        reports.append(score(nlp, gold, "own held-out (ner only)", disable=("entity_ruler",)))
    return reports


def format_reports(reports: list[EvalReport]) -> str:
    """Plain-text tables of the reports."""
    lines = []
    for rep in reports:
        lines.append(f"{rep.name} ({rep.n_docs} sentences)")
        lines.append(f"  {'label':<9}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}")
        for s in [*rep.labels, rep.micro]:
            if s is not None:
                lines.append(f"  {s.label:<9}{s.precision:>7.3f}{s.recall:>7.3f}{s.f1:>7.3f}"
                             f"{s.support:>6}")
    return "\n".join(lines)
