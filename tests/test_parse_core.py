"""Parse layer: bad inputs, furniture, hyphenation, tables, offsets, cache (real PDFs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from fsfdocs.parse import (
    PARSER_VERSION,
    CorruptPDFError,
    EmptyFileError,
    EncryptedPDFError,
    NoContentError,
    NotPDFError,
    parse_pdf,
)
from fsfdocs.parse.cache import CacheCorrupt, cache_path, load_parsed, save_parsed
from fsfdocs.parse.hyphenation import Hyphenation

BAD = Path(__file__).parent / "data" / "bad"
W, H = A4


def make_pdf(path: Path, pages: list[list[tuple]], header: str | None = None) -> Path:
    """Draw pages of (x, y_from_top, text, size[, bold]) items; optional running footer."""
    c = canvas.Canvas(str(path), pagesize=A4)
    for n, items in enumerate(pages, start=1):
        if header:
            c.setFont("Helvetica", 8)
            c.drawString(72, H - 30, "Malmö stad  Funktionsstödsnämnden")
            c.drawString(72, 30, f"{header} {n} ({len(pages)})")
        for item in items:
            x, y, text, size = item[:4]
            c.setFont("Helvetica-Bold" if len(item) > 4 and item[4] else "Helvetica", size)
            c.drawString(x, H - y, text)
        c.showPage()
    c.save()
    return path


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("empty.pdf", EmptyFileError),
        ("html-page.pdf", NotPDFError),
        ("random-bytes.pdf", NotPDFError),
        ("password.pdf", EncryptedPDFError),
        ("truncated.pdf", CorruptPDFError),
        ("blank-page.pdf", NoContentError),
    ],
)
def test_bad_inputs_raise_named_errors(name: str, error: type) -> None:
    path = BAD / name
    if not path.exists():
        pytest.skip(f"{path} not generated yet")
    with pytest.raises(error) as info:
        parse_pdf(path)
    assert str(info.value).startswith(f"{name}: ")


def test_bad_inputs_built_here(tmp_path: Path) -> None:
    (tmp_path / "e.pdf").write_bytes(b"")
    (tmp_path / "h.pdf").write_bytes(b"<!DOCTYPE html><html><body>404</body></html>")
    good = make_pdf(tmp_path / "g.pdf", [[(72, 100, "Hej", 10)]]).read_bytes()
    (tmp_path / "t.pdf").write_bytes(good[: len(good) // 2])
    with pytest.raises(EmptyFileError, match="e.pdf: the file is empty"):
        parse_pdf(tmp_path / "e.pdf")
    with pytest.raises(NotPDFError, match="h.pdf: .*HTML"):
        parse_pdf(tmp_path / "h.pdf")
    with pytest.raises(CorruptPDFError, match="t.pdf"):
        parse_pdf(tmp_path / "t.pdf")


def body_page(n: int) -> list[tuple]:
    return [
        (72, 80, f"{n}.1 {['Ekonomi', 'Personal', 'Kvalitet'][n - 1]} under året", 12, True),
        (72, 110, "Nämnden har under året arbetat med personer med funktionsnedsätt-", 10),
        (72, 123, "ning och deras anhöriga inom LSS-", 10),
        (72, 136, "boenden samt i avlösning-, ledsagning-", 10),
        (72, 149, "och kontaktpersonsverksamheten.", 10),
    ]


def test_furniture_removed_and_kept_in_metadata(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "f.pdf", [body_page(n) for n in (1, 2, 3)], "Årsanalys 2024,")
    doc = parse_pdf(pdf)
    assert "Malmö stad  Funktionsstödsnämnden" not in doc.text
    assert "Årsanalys 2024, 2 (3)" not in doc.text
    assert doc.metadata.running_footer and "Årsanalys 2024" in doc.metadata.running_footer
    assert doc.metadata.doc_type == "arsanalys" and doc.metadata.year == 2024
    assert [ln.kind for ln in doc.lines if ln.text.startswith("2.1")] == ["heading"]


def test_hyphenation_rules(tmp_path: Path) -> None:
    doc = parse_pdf(make_pdf(tmp_path / "h.pdf", [body_page(1)]))
    assert "funktionsnedsättning" in doc.text
    assert "LSS-boenden" in doc.text
    assert "avlösning-, ledsagning-\noch kontaktpersonsverksamheten" in doc.text
    h = Hyphenation(frozenset())
    assert h.decide("mot kostnads-", "utvecklingen i år") == "join"
    assert h.decide("nuläges-", "och behovsanalys") == "keep"
    assert h.decide("inom xqzw-", "blorfen") == "keep"


def test_page_at_and_spans_round_trip(tmp_path: Path) -> None:
    doc = parse_pdf(make_pdf(tmp_path / "p.pdf", [body_page(n) for n in (1, 2, 3)]))
    for ln in doc.lines:
        assert doc.text[ln.char_start : ln.char_end] == ln.text
        assert doc.page_at(ln.char_start) == ln.page
    assert [p.text_source for p in doc.pages] == ["text_layer"] * 3


def table_rows(top: float, rows: list[list[str]]) -> list[tuple]:
    xs = [72, 260, 360, 460]
    items = []
    for r, row in enumerate(rows):
        y = top + r * 16
        for c, text in enumerate(row):
            width = stringWidth(text, "Helvetica", 9)
            x = xs[c] if c == 0 else xs[c] + 80 - width  # right-aligned numbers
            items.append((x, y, text, 9))
    return items


ROWS = [
    ["Tkr", "Utfall", "Budget", "Avvikelse"],
    ["Nettokostnad", "-2 713 060", "-2 662 074", "-50 986"],
    ["Kommunbidrag", "2 662 074", "2 662 074", "0"],
    ["Inventarier", "1 053 804", "20 000", "8 336"],
]


@pytest.mark.parametrize("ruled", [False, True])
def test_table_found_with_and_without_rules(tmp_path: Path, ruled: bool) -> None:
    items = [(72, 80, "Driftbudget", 10, True)] + table_rows(100, ROWS)
    path = tmp_path / "t.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Helvetica", 10)
    c.drawString(72, H - 60, "Texten före tabellen är en vanlig mening om budgeten.")
    for x, y, text, size, *bold in items:
        c.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        c.drawString(x, H - y, text)
    if ruled:
        for r in range(len(ROWS) + 1):
            c.line(68, H - (100 + r * 16 - 12), 545, H - (100 + r * 16 - 12))
    c.showPage()
    c.save()
    doc = parse_pdf(path)
    assert len(doc.tables) == 1
    t = doc.tables[0]
    assert t.grid() == ROWS
    assert t.header_rows == 1 and t.caption and "Driftbudget" in t.caption
    cell = next(c for c in t.cells if c.text == "1 053 804")
    assert doc.text[cell.char_start : cell.char_end] == "1 053 804"
    assert "Nettokostnad\t-2 713 060\t-2 662 074\t-50 986" in doc.text


def test_table_continued_on_next_page_is_one_table(tmp_path: Path) -> None:
    rows = [["Verksamhet", "Utfall", "Budget", "Avvikelse"]] + [
        [f"Enhet {i}", f"{i} 100", f"{i} 200", f"-{i}00"] for i in range(1, 30)
    ]
    first = [(72, 60, "Tkr", 10)] + table_rows(80, rows[:20])
    second = table_rows(70, rows[20:]) + [(72, 300, "Text efter tabellen.", 10)]
    doc = parse_pdf(make_pdf(tmp_path / "c.pdf", [first, second]))
    assert len(doc.tables) == 1
    t = doc.tables[0]
    assert t.pages == [1, 2] and t.n_rows == 30 and t.header_rows == 1
    assert t.grid()[-1] == ["Enhet 29", "29 100", "29 200", "-2900"]
    assert {c.page for c in t.cells if c.text == "Enhet 29"} == {2}


def test_cache_round_trip_and_corruption(tmp_path: Path) -> None:
    doc = parse_pdf(make_pdf(tmp_path / "k.pdf", [body_page(1), body_page(2)], "Ansökan 2023,"))
    path = save_parsed(doc, tmp_path / "interim")
    assert path == cache_path(doc.doc_id, tmp_path / "interim")
    back = load_parsed(doc.doc_id, tmp_path / "interim")
    assert back == doc and back.parser_version == PARSER_VERSION
    assert load_parsed("0" * 64, tmp_path / "interim") is None
    path.write_bytes(b"PAR1 not really parquet")
    with pytest.raises(CacheCorrupt):
        load_parsed(doc.doc_id, tmp_path / "interim")
