"""Parse layer on the generated corpus PDFs (metadata) and real tesseract OCR."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from fsfdocs.parse import parse_pdf

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
ALT = ROOT / "tests" / "data" / "alt"
EXPECTED = {  # doc_type and year from the documents' content
    "ansokan-sociala-insatser-lokal-utveckling-2023.pdf": ("ansokan", 2023),
    "arsanalys-2024-funktionsstodsnamnden.pdf": ("arsanalys", 2024),
    "finsam-ansokan-make-it-work-2020.pdf": ("ansokan", 2020),
}


@pytest.mark.parametrize("folder", [RAW, ALT])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_doc_type_and_year(folder: Path, name: str) -> None:
    path = folder / name
    if not path.exists():
        pytest.skip(f"{path} not generated yet")
    doc = parse_pdf(path, ocr=False)
    assert (doc.metadata.doc_type, doc.metadata.year) == EXPECTED[name]
    for ln in doc.lines[::25]:
        assert doc.page_at(ln.char_start) == ln.page


def test_alt_memo_metadata() -> None:
    path = ALT / "tjansteskrivelse-modell-overgang-daglig-verksamhet-2025.pdf"
    if not path.exists():
        pytest.skip("alt memo not generated yet")
    meta = parse_pdf(path, ocr=False).metadata
    assert meta.doc_type == "tjansteskrivelse" and meta.year == 2025
    assert meta.diarienummer == "FSN-2025-123"


@pytest.mark.slow
def test_ocr_of_rasterised_page(tmp_path: Path) -> None:
    """Render a text page, keep only its image, and read it back with tesseract."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    src = tmp_path / "src.pdf"
    c = canvas.Canvas(str(src), pagesize=A4)
    c.setFont("Helvetica", 12)
    lines = ["Tjänsteskrivelse", "Funktionsstödsnämnden godkänner återrapporteringen",
             "om daglig verksamhet för personer med funktionsnedsättning."]
    for i, text in enumerate(lines):
        c.drawString(72, 760 - 20 * i, text)
    c.save()
    img = pdfium.PdfDocument(str(src))[0].render(scale=200 / 72).to_pil().convert("L")
    scan = tmp_path / "scan.pdf"
    img.rotate(1.0, fillcolor=255, resample=Image.BILINEAR).save(scan, resolution=200)
    doc = parse_pdf(scan)
    assert [p.text_source for p in doc.pages] == ["ocr"]
    assert "funktionsnedsättning" in doc.text and "återrapporteringen" in doc.text
    assert doc.pages[0].ocr_confidence and doc.pages[0].ocr_confidence > 60
