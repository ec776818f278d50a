"""Table detection in the parse layer: ruled grids (pdfplumber geometry), unruled tables
(column alignment), wrapped labels, continued tables and captions, on the corpus renderings
and on small PDFs drawn with reportlab."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from fsfdocs.model import ParsedDocument, Table
from fsfdocs.parse import parse_pdf
from tests.conftest import RAW_DIR, TEST_DATA

ARSANALYS = "arsanalys-2024-funktionsstodsnamnden.pdf"
FINSAM = "finsam-ansokan-make-it-work-2020.pdf"
MONEY_CAPTIONS = [
    "Driftbudget",
    "Orsaker till årets resultat",
    "Förändringar jämfört med delårsrapport",
    "Investeringsram",
    "Resultaträkning",
    "Riktade statsbidrag",
    "Övriga bidrag",
]


@pytest.fixture(scope="module", params=["raw", "alt"])
def arsanalys(request) -> ParsedDocument:
    folder = RAW_DIR if request.param == "raw" else TEST_DATA / "alt"
    return parse_pdf(folder / ARSANALYS)


@pytest.fixture(scope="module", params=["raw", "alt"])
def finsam(request) -> ParsedDocument:
    folder = RAW_DIR if request.param == "raw" else TEST_DATA / "alt"
    return parse_pdf(folder / FINSAM)


def _by_caption(doc: ParsedDocument, caption: str) -> Table:
    hits = [t for t in doc.tables if t.caption == caption]
    assert len(hits) == 1, [t.caption for t in doc.tables]
    return hits[0]


def _assert_grounded(doc: ParsedDocument) -> None:
    for t in doc.tables:
        assert doc.text[t.char_start : t.char_end].split("\n")[0].split("\t")[0] == t.grid()[0][0]
        for c in t.cells:
            if c.text:
                assert doc.text[c.char_start : c.char_end] == c.text
            assert c.page in t.pages


def test_arsanalys_money_tables_are_separate_and_captioned(arsanalys):
    captions = [t.caption for t in arsanalys.tables]
    assert [c for c in captions if c in MONEY_CAPTIONS] == MONEY_CAPTIONS
    drift = _by_caption(arsanalys, "Driftbudget")
    assert (drift.n_rows, drift.n_cols, drift.header_rows) == (4, 4, 1)
    assert drift.grid()[0] == ["Tkr", "Utfall", "Prognos DR", "Förändring"]
    assert drift.grid()[1] == ["Nettokostnad", "-2 713 060", "-2 662 074", "-50 986"]
    orsaker = _by_caption(arsanalys, "Orsaker till årets resultat")
    assert (orsaker.n_rows, orsaker.n_cols) == (8, 2)
    assert orsaker.grid()[-1] == ["Summa budgetavvikelser", "-50 986"]
    result = _by_caption(arsanalys, "Resultaträkning")
    assert (result.n_rows, result.n_cols, result.header_rows) == (18, 4, 1)
    _assert_grounded(arsanalys)


def test_arsanalys_continued_table_is_one_table(arsanalys):
    riktade = _by_caption(arsanalys, "Riktade statsbidrag")
    ovriga = _by_caption(arsanalys, "Övriga bidrag")
    # Each is one table; one of them runs over a page break without repeating its header.
    assert any(len(t.pages) == 2 and t.pages[1] == t.pages[0] + 1 for t in (riktade, ovriga))
    assert (riktade.n_rows, riktade.n_cols, riktade.header_rows) == (19, 3, 1)
    assert riktade.grid()[-1] == ["RIKTADE STATSBIDRAG Summa", "", "68 065"]
    assert (ovriga.n_rows, ovriga.n_cols) == (6, 3)
    assert ovriga.grid()[-1] == ["ÖVRIGA BIDRAG Summa", "", "114 641"]


def test_wrapped_labels_are_joined(arsanalys):
    riktade = _by_caption(arsanalys, "Riktade statsbidrag")
    grid = riktade.grid()
    assert grid[0][0] == "RIKTADE STATSBIDRAG, benämning/ ändamål"
    labels = [row[0] for row in grid]
    assert "Stöd till riktade insatser inom området psykisk hälsa och ohälsa (PRIO-medel)" in labels
    assert "Statsbidrag Förstärkt föräldraskap, förebygga kriminalitet" in labels
    # Every body row carries its amount: no label-only fragments.
    assert all(row[2] for row in grid[1:])


def test_finsam_tables(finsam):
    activities = _by_caption(finsam, "3.5. Aktiviteter")
    assert activities.n_cols == 2 and activities.header_rows == 1
    assert len(activities.pages) >= 2  # continued over the page break(s) as one table
    assert activities.grid()[0] == ["Aktiviteter", "Förtydligande"]
    assert activities.n_rows >= 17
    budget = [t for t in finsam.tables if t.grid()[0][0] == "Sammanställd budget"]
    assert len(budget) == 1
    assert budget[0].grid()[0] == ["Sammanställd budget", "År 2020", "År 2021", "År 2022",
                                   "Totalt"]
    assert budget[0].grid()[1] == ["Personal", "1 053 804", "1 437 703", "367 830", "2 859 337"]
    assert budget[0].n_rows == 6 and budget[0].header_rows == 1
    _assert_grounded(finsam)


# --- small drawn PDFs --------------------------------------------------------------------

FONT, SIZE = "Helvetica", 9


def _grid(c: canvas.Canvas, top: float, rows: list[list[str]], xs: list[float], h: float = 16):
    """Draw a ruled grid with its top edge at ``top`` (points from the top of the page)."""
    height = A4[1]
    for r, row in enumerate(rows):
        y = height - top - (r + 1) * h
        for col, text in enumerate(row):
            if col == 0:
                c.drawString(xs[col] + 3, y + 5, text)
            else:
                c.drawString(xs[col + 1] - 3 - stringWidth(text, FONT, SIZE), y + 5, text)
    for r in range(len(rows) + 1):
        y = height - top - r * h
        c.line(xs[0], y, xs[-1], y)
    for x in xs:
        c.line(x, height - top, x, height - top - len(rows) * h)


def _pdf(path: Path, draw_pages) -> Path:
    c = canvas.Canvas(str(path), pagesize=A4)
    for draw in draw_pages:
        c.setFont(FONT, SIZE)
        draw(c)
        c.showPage()
    c.save()
    return path


def _text(c: canvas.Canvas, x: float, top: float, text: str, size: float = SIZE, bold=False):
    c.setFont("Helvetica-Bold" if bold else FONT, size)
    c.drawString(x, A4[1] - top, text)
    c.setFont(FONT, SIZE)


def test_adjacent_ruled_grids_are_separate_and_continued_grid_joins(tmp_path):
    xs = [70, 300, 400, 500]
    head = [["Tkr", "Utfall", "Budget"]]
    body = [[f"Post {i}", f"{i} 100", f"{i} 200"] for i in range(1, 4)]

    def page1(c):
        _text(c, 70, 80, "Inledning", 13, bold=True)
        _text(c, 70, 100, "Tabellerna nedan visar utfall och budget för året.")
        _text(c, 70, 130, "Driftbudget", 11, bold=True)
        _grid(c, 140, head + body, xs)
        _text(c, 70, 230, "Investeringar", 11, bold=True)
        _grid(c, 240, head + body, xs)
        _text(c, 70, 330, "Intäkter", 11, bold=True)
        _grid(c, 700, head + body[:2], xs)  # runs to the foot of the page

    def page2(c):
        _grid(c, 70, [body[2], ["Summa", "6 300", "6 600"]], xs)
        _text(c, 70, 130, "Kommentar till tabellerna följer här i löptext.")

    doc = parse_pdf(_pdf(tmp_path / "grids.pdf", [page1, page2]))
    grids = [t.grid() for t in doc.tables]
    assert len(doc.tables) == 3, grids
    assert [t.caption for t in doc.tables[:2]] == ["Driftbudget", "Investeringar"]
    assert doc.tables[0].grid() == head + body
    last = doc.tables[2]
    assert last.pages == [1, 2] and last.n_rows == 5 and last.header_rows == 1
    assert last.grid()[-1] == ["Summa", "6 300", "6 600"]
    _assert_grounded(doc)


@pytest.mark.parametrize("spaced", [True, False])
def test_unruled_wrapped_label_joins_its_row(tmp_path, spaced):
    """Top-aligned rows: the numbers sit on a row's first line, the label wraps below it.
    With spaced rows the spacing decides; without, the Swedish wording cues do."""
    rows = [
        (["Bidrag från staten och"], ["1 053 804", "-2 713 060"], ["myndigheter"]),
        (["Övriga intäkter"], ["60 000", "70 000"], []),
        (["Ersättning för sjuklön från"], ["850", "900"], ["Försäkringskassan"]),
        (["Summa"], ["1 114 654", "-2 642 160"], []),
    ]
    lead = 11.0
    row_gap = 7.0 if spaced else 0.0

    def page(c):
        _text(c, 70, 80, "Sammanställd budget", 12, bold=True)
        top = 105.0
        for x, t in ((70, "Kronor"), (330, "År 2020"), (430, "År 2021")):
            _text(c, x, top, t, bold=True)
        top += lead + row_gap
        for label, nums, wrapped in rows:
            _text(c, 70, top, label[0])
            for x, n in zip((380, 480), nums, strict=True):
                c.drawString(x - stringWidth(n, FONT, SIZE), A4[1] - top, n)
            for extra in wrapped:
                top += lead
                _text(c, 70, top, extra)
            top += lead + row_gap
        _text(c, 70, top + 20, "Budgeten avser hela projekttiden och är beräknad i kronor.")

    doc = parse_pdf(_pdf(tmp_path / f"unruled-{spaced}.pdf", [page]))
    assert len(doc.tables) == 1
    t = doc.tables[0]
    assert t.caption == "Sammanställd budget"
    assert t.header_rows == 1 and t.n_cols == 3
    assert t.grid()[1:] == [
        ["Bidrag från staten och myndigheter", "1 053 804", "-2 713 060"],
        ["Övriga intäkter", "60 000", "70 000"],
        ["Ersättning för sjuklön från Försäkringskassan", "850", "900"],
        ["Summa", "1 114 654", "-2 642 160"],
    ]
    assert "Budgeten avser" not in doc.text[t.char_start : t.char_end]
    _assert_grounded(doc)
