"""Table detection quality: table-cell amounts of every rendering scored against the gold.

For each PDF in ``data/raw`` (default style, ruled grids), ``tests/data/alt`` (alt style, few or
no rulings) and ``tests/data/scanned`` (image-only, OCR): parse it, read its table amounts with
``extractors.amounts.extract_table_amounts`` and score them against
``tests/gold/<stem>/table_cells.yaml`` (the stem without a ``-skannad`` suffix).

Run: ``.venv/bin/python scripts/eval_tables.py [--no-scan] [--verbose]``
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractors.amounts import extract_table_amounts  # noqa: E402
from extractors.evaluate import GOLD_DIR, evaluate_document, load_gold  # noqa: E402
from fsfdocs.parse import parse_pdf  # noqa: E402

RENDERINGS = {
    "raw": ROOT / "data" / "raw",
    "alt": ROOT / "tests" / "data" / "alt",
    "scanned": ROOT / "tests" / "data" / "scanned",
}


def gold_stem(pdf: Path) -> str:
    """The gold folder name of a rendering: the PDF stem without a ``-skannad`` suffix."""
    return pdf.stem.removesuffix("-skannad")


def _show_misses(stem: str, records: list[dict]) -> None:
    gold = load_gold(GOLD_DIR / stem / "table_cells.yaml")
    fields = gold["match_fields"]

    def key(r: dict) -> tuple:
        return tuple(" ".join(str(r.get(f)).split()).casefold() for f in fields)

    want = [key(r) for r in gold["records"]]
    got = [key(r) for r in records if r.get("source") == "table"]
    spare = list(got)
    for w in want:
        if w in spare:
            spare.remove(w)
        else:
            print(f"    miss  {w}")
    for g in spare:
        print(f"    extra {g}")


def main() -> None:
    """Print P/R/F1 of table cells per document and rendering, and the micro-average each."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--no-scan", action="store_true", help="skip the OCR rendering")
    ap.add_argument("--verbose", "-v", action="store_true", help="list missed/extra cells")
    args = ap.parse_args()
    print(f"{'rendering':8} {'document':58} {'tables':>6} {'P':>6} {'R':>6} {'F1':>6}")
    for rendering, folder in RENDERINGS.items():
        if args.no_scan and rendering == "scanned":
            continue
        tp = fp = fn = 0
        for pdf in sorted(folder.glob("*.pdf")):
            stem = gold_stem(pdf)
            if not (GOLD_DIR / stem / "table_cells.yaml").exists():
                continue
            doc = parse_pdf(pdf)
            records = extract_table_amounts(doc)
            s = evaluate_document(stem, {"amounts": records})["table_cells"]
            tp, fp, fn = tp + s.tp, fp + s.fp, fn + s.fn
            print(
                f"{rendering:8} {stem[:58]:58} {len(doc.tables):6d} "
                f"{s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f}"
            )
            if args.verbose and (s.fp or s.fn):
                _show_misses(stem, records)
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{rendering:8} {'ALL (micro)':58} {'':6} {p:6.3f} {r:6.3f} {f1:6.3f}")


if __name__ == "__main__":
    main()
