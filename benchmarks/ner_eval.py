"""NER figures: per-label P/R/F1 of the shipped model and extraction speed over the corpus.

Run: ``.venv/bin/python benchmarks/ner_eval.py [--corpus-dir ../shared/corpus]``. Speed is
measured on one thread over the corpus texts (``ParsedDocument.from_text`` of each ``.txt``,
pages split on blank-line page breaks are not needed for speed); the goal is well under 30 s
for the ~100 pages.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fsfdocs.ner.train import limit_threads  # noqa: E402

limit_threads()

from extractors.entities import extract_entities  # noqa: E402
from fsfdocs.model import ParsedDocument  # noqa: E402
from fsfdocs.ner.evaluate import evaluate_pipeline, format_reports  # noqa: E402
from fsfdocs.ner.paths import ANNOTATIONS_DIR, webbnyheter_dir  # noqa: E402
from fsfdocs.ner.pipeline import load_pipeline  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus-dir", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--skip-eval", action="store_true")
    args = parser.parse_args()

    t0 = time.perf_counter()
    nlp = load_pipeline()
    print(f"model load: {time.perf_counter() - t0:.2f} s")
    if not args.skip_eval:
        reports = evaluate_pipeline(nlp, webbnyheter_dir() / "test_corpus.txt", ANNOTATIONS_DIR)
        print(format_reports(reports))

    docs = [ParsedDocument.from_text(p.read_text(encoding="utf-8"), file_name=p.name)
            for p in sorted(args.corpus_dir.glob("*.txt"))]
    chars = sum(len(d.text) for d in docs)
    t0 = time.perf_counter()
    counts: Counter[tuple[str, str]] = Counter()
    for d in docs:
        for r in extract_entities(d):
            counts[(r["label"], r["extractor"])] += 1
    secs = time.perf_counter() - t0
    print(f"extraction: {len(docs)} documents, {chars} chars in {secs:.2f} s "
          f"({chars / secs / 1000:.0f} k chars/s, one thread)")
    for (label, source), n in sorted(counts.items()):
        print(f"  {label:<9}{source:<10}{n:>5}")


if __name__ == "__main__":
    main()
