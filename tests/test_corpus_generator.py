"""The committed generated corpus: PDFs open, carry running headers/footers, tables are tables,
scans have no text layer, bad inputs are what they claim, and regeneration is byte-identical."""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from fsfdocs.corpus.build import FINSAM_STEM, MEMO_STEM, source_paths
from fsfdocs.corpus.markup import load_source
from fsfdocs.corpus.render import render_pdf

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
STEMS = [p.stem for p in source_paths()]
TEXT_STEMS = [s for s in STEMS if s != MEMO_STEM]
FOOTER_NUM = re.compile(r"(\d+) \((\d+)\)|Sida (\d+) av (\d+)")


def test_four_documents_committed():
    assert len(STEMS) == 4
    for stem in STEMS:
        assert (RAW / f"{stem}.pdf").stat().st_size > 1000
        assert (ROOT / "tests" / "data" / "alt" / f"{stem}.pdf").exists()


@pytest.mark.parametrize("stem", TEXT_STEMS)
def test_running_footer_on_every_page(stem):
    with pdfplumber.open(RAW / f"{stem}.pdf") as pdf:
        total = len(pdf.pages)
        assert total >= 3
        for page in pdf.pages:
            text = page.extract_text() or ""
            nums = [tuple(int(g) for g in m.groups() if g) for m in FOOTER_NUM.finditer(text)]
            assert (page.page_number, total) in nums, f"page {page.page_number} lacks footer"
            assert text.splitlines()[0].startswith(("Malmö stad", "FINSAM"))


def test_arsanalys_footer_style():
    with pdfplumber.open(RAW / "arsanalys-2024-funktionsstodsnamnden.pdf") as pdf:
        n = len(pdf.pages)
        assert f"Årsanalys 2024, Funktionsstödsnämnden 2 ({n})" in pdf.pages[1].extract_text()


def test_finsam_budget_table_is_a_table():
    with pdfplumber.open(RAW / f"{FINSAM_STEM}.pdf") as pdf:
        tables = [t for p in pdf.pages for t in p.extract_tables()]
    budget = [t for t in tables if t[0][0] == "Sammanställd budget"]
    assert budget, "budget table not found as a table"
    grid = budget[0]
    assert grid[0] == ["Sammanställd budget", "År 2020", "År 2021", "År 2022", "Totalt"]
    assert grid[-1] == ["Totalt", "1 228 804", "1 537 703", "367 830", "3 134 337"]
    assert ["Lokaler", "", "", "", ""] in [[c or "" for c in row] for row in grid]


def test_a_long_table_continues_without_repeated_header():
    with pdfplumber.open(RAW / "arsanalys-2024-funktionsstodsnamnden.pdf") as pdf:
        pages = [p.extract_text() or "" for p in pdf.pages]
    starts = [i for i, t in enumerate(pages) if "Statsbidrag varaktig vård" in t]
    ends = [i for i, t in enumerate(pages) if "RIKTADE STATSBIDRAG Summa" in t]
    assert starts and ends and ends[0] == starts[0] + 1
    assert "Ansvarig myndighet/" not in pages[ends[0]].split("RIKTADE STATSBIDRAG Summa")[0]


def test_unicode_text_survives():
    with pdfplumber.open(RAW / "arsanalys-2024-funktionsstodsnamnden.pdf") as pdf:
        text = "".join(p.extract_text() or "" for p in pdf.pages)
    assert "§" in text and "å" in text and "–" in text


@pytest.mark.parametrize("path", [RAW / f"{MEMO_STEM}.pdf",
                                  ROOT / "tests/data/scanned" / f"{FINSAM_STEM}-skannad.pdf"])
def test_scans_have_no_text_layer(path):
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) >= 2
        for page in pdf.pages:
            assert not page.chars
            assert len(page.images) == 1


def test_bad_inputs_are_what_they_claim():
    bad = ROOT / "tests" / "data" / "bad"
    assert (bad / "empty.pdf").stat().st_size == 0
    assert (bad / "html-page.pdf").read_bytes().lstrip().lower().startswith(b"<!doctype html")
    assert not (bad / "random-bytes.pdf").read_bytes().startswith(b"%PDF")
    trunc = (bad / "truncated.pdf").read_bytes()
    assert trunc.startswith(b"%PDF") and b"%%EOF" not in trunc[-1024:]
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(bad / "password.pdf")
    with pikepdf.open(bad / "password.pdf", password="hemligt") as pdf:
        assert len(pdf.pages) > 1
    with pdfplumber.open(bad / "blank-page.pdf") as pdf:
        assert len(pdf.pages) == 1 and not pdf.pages[0].chars and not pdf.pages[0].images
    hang = ROOT / "tests" / "data" / "hang" / "slow-content.pdf"
    assert hang.stat().st_size < 5 * 1024 * 1024
    with pikepdf.open(hang) as pdf:  # valid PDF, one page
        assert len(pdf.pages) == 1


def test_sources_keep_tables_marked_up():
    ars = load_source(ROOT / "corpus/src/arsanalys-2024-funktionsstodsnamnden.md")
    tables = [b for b in ars.blocks if b.kind == "table"]
    assert len(tables) >= 7
    assert all(b.header_rows == 1 for b in tables)


@pytest.mark.parametrize("stem", [FINSAM_STEM])
def test_regeneration_is_byte_identical(stem, tmp_path):
    out = render_pdf(ROOT / "corpus" / "src" / f"{stem}.md", tmp_path / f"{stem}.pdf")
    assert out.read_bytes() == (RAW / f"{stem}.pdf").read_bytes()
