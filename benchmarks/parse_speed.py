"""Parse speed on one core, cold cache: text-layer pages/s over data/raw, OCR s/page on scans.

Run: ``OMP_THREAD_LIMIT=1 taskset -c 0 .venv/bin/python benchmarks/parse_speed.py``
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from fsfdocs.parse import parse_pdf  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Print a small table: file, pages, source, seconds, pages/s (or s/page for OCR)."""
    files = sorted((ROOT / "data" / "raw").glob("*.pdf"))
    files += sorted((ROOT / "tests" / "data" / "scanned").glob("*.pdf"))
    text_pages = text_s = ocr_pages = ocr_s = 0.0
    print(f"{'file':60} {'pages':>5} {'source':>10} {'s':>7} {'rate':>12}")
    for path in files:
        t0 = time.perf_counter()
        doc = parse_pdf(path)
        dt = time.perf_counter() - t0
        n_ocr = sum(p.text_source == "ocr" for p in doc.pages)
        if n_ocr:
            ocr_pages += n_ocr
            ocr_s += dt
            rate = f"{dt / doc.page_count:.2f} s/page"
        else:
            text_pages += doc.page_count
            text_s += dt
            rate = f"{doc.page_count / dt:.1f} pages/s"
        print(f"{path.name[:60]:60} {doc.page_count:5d} {doc.text_source:>10} {dt:7.2f} {rate:>12}")
    if text_s:
        print(f"text layer: {text_pages:.0f} pages, {text_pages / text_s:.1f} pages/s (goal >= 25)")
    if ocr_s:
        print(f"OCR: {ocr_pages:.0f} pages, {ocr_s / ocr_pages:.2f} s/page (goal <= 4)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
