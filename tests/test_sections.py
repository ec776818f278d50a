from pathlib import Path

from extractors.sections import extract_sections, find_sections, section_label_at
from fsfdocs.model import ParsedDocument

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def _doc(stem: str) -> ParsedDocument:
    return ParsedDocument.from_text((CORPUS / f"{stem}.txt").read_text(encoding="utf-8"))


def test_numbered_headings_of_application_skip_summary_list_and_inner_lists():
    sections = find_sections(_doc("ansokan-sociala-insatser-lokal-utveckling-2023"))
    numbers = [s.section_no for s in sections]
    assert numbers[:5] == ["1", "1.1", "1.2", "1.3", "2"]
    assert numbers.count("1") == 1  # summary list, "1. Metodhandledning": list items
    assert len([n for n in numbers if "." not in n]) == 8
    first = sections[0]
    assert first.title.startswith("Kompetensutveckling av barnenhetens personal för att motverka")
    assert first.title.endswith("barnen")  # wrapped title joined
    sub = next(s for s in sections if s.section_no == "4.3")
    assert sub.title == "Aktiviteter som verksamheten söker medel för" and sub.parent_no == "4"
    assert sub.level == 2 and first.level == 1


def test_finsam_headings_with_trailing_dots_and_list_items_inside():
    sections = find_sections(_doc("finsam-ansokan-make-it-work-2020"))
    assert [s.section_no for s in sections] == [
        "1", "2", "3", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "4",
    ]
    budget = next(s for s in sections if s.section_no == "3.7")
    assert budget.title == "Budget i kronor (detaljerad samt sammanställd)"


def test_decision_list_is_not_a_heading():
    assert find_sections(_doc("tjansteskrivelse-modell-overgang-daglig-verksamhet-2025")) == []


def test_section_spans_and_label_lookup():
    doc = _doc("ansokan-sociala-insatser-lokal-utveckling-2023")
    sections = find_sections(doc)
    one = sections[0]
    two = next(s for s in sections if s.section_no == "2")
    assert one.char_end == two.char_start
    at = doc.text.index("Summa ansökta medel: 500 000 kr ")
    assert section_label_at(sections, at) == "1.3 Aktiviteter som verksamheten söker medel för"
    assert section_label_at(sections, 0) is None


def test_marked_headings_from_parse_layer_are_used():
    doc = ParsedDocument.from_text("Ekonomisk utveckling\nText om 5 kr.\nResultaträkning\nMer text")
    doc.lines[0].kind = "heading"
    doc.lines[2].kind = "heading"
    recs = extract_sections(doc)
    assert [r["title"] for r in recs] == ["Ekonomisk utveckling", "Resultaträkning"]
    assert recs[0]["section_no"] is None and recs[0]["raw_text"] == "Ekonomisk utveckling"
