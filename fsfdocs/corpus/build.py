"""Build the whole generated corpus: default PDFs, alt-style PDFs, scans and bad inputs."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fsfdocs.corpus.render import render_pdf

SRC_DIR = Path(__file__).resolve().parents[2] / "corpus" / "src"
MEMO_STEM = "tjansteskrivelse-modell-overgang-daglig-verksamhet-2025"
FINSAM_STEM = "finsam-ansokan-make-it-work-2020"


def source_paths(src_dir: Path = SRC_DIR) -> list[Path]:
    """The document sources, sorted by name."""
    return sorted(src_dir.glob("*.md"))


def build_corpus(out_root: Path, src_dir: Path = SRC_DIR) -> list[Path]:
    """Regenerate every corpus file under ``out_root`` (the repository root); returns paths.

    Layout: ``data/raw/<stem>.pdf`` (default style; the memo only as its scan),
    ``tests/data/alt/<stem>.pdf``, ``tests/data/scanned/``, ``tests/data/bad/``,
    ``tests/data/hang/``.
    """
    from fsfdocs.corpus.bad_inputs import write_bad_inputs, write_hang_input
    from fsfdocs.corpus.scan import scan_pdf

    out_root = Path(out_root)
    raw = out_root / "data" / "raw"
    alt = out_root / "tests" / "data" / "alt"
    scanned = out_root / "tests" / "data" / "scanned"
    written: list[Path] = []
    tmp_dir = tempfile.TemporaryDirectory(prefix="fsfdocs-corpus-")
    tmp = Path(tmp_dir.name)
    for src in source_paths(src_dir):
        stem = src.stem
        if stem == MEMO_STEM:
            clean = render_pdf(src, tmp / f"{stem}.pdf")
            written.append(scan_pdf(clean, raw / f"{stem}.pdf", seed=1))
        else:
            written.append(render_pdf(src, raw / f"{stem}.pdf"))
        written.append(render_pdf(src, alt / f"{stem}.pdf", style="alt"))
        if stem == FINSAM_STEM:
            written.append(scan_pdf(raw / f"{stem}.pdf", scanned / f"{stem}-skannad.pdf", seed=2))
    written += write_bad_inputs(out_root / "tests" / "data" / "bad", raw / f"{FINSAM_STEM}.pdf")
    written.append(write_hang_input(out_root / "tests" / "data" / "hang" / "slow-content.pdf"))
    tmp_dir.cleanup()
    return written
