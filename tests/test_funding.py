from datetime import date
from pathlib import Path

from extractors.amounts import extract_amounts
from extractors.funding import extract_funding_requests
from extractors.sections import find_sections
from fsfdocs.model import DocumentMetadata, ParsedDocument

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def _items(stem: str, doc_type: str = "ansokan") -> list[dict]:
    doc = ParsedDocument.from_text((CORPUS / f"{stem}.txt").read_text(encoding="utf-8"))
    doc.metadata = DocumentMetadata(doc_type=doc_type)  # type: ignore[arg-type]
    return extract_funding_requests(doc, extract_amounts(doc), find_sections(doc))


def test_eight_items_of_the_social_application():
    items = _items("ansokan-sociala-insatser-lokal-utveckling-2023")
    assert [i["item_no"] for i in items] == list(range(1, 9))
    assert sum(i["requested_sek"] for i in items) == 3_500_000
    eight = items[7]
    assert eight["requested_sek"] == 1_148_000
    assert sum(c["amount_sek"] for c in eight["cost_lines"]) == 1_148_000
    assert (eight["period_start"], eight["period_end"]) == (date(2023, 8, 1), date(2023, 12, 31))
    assert items[2]["unit"] == "myndighetsenheten"
    assert all(i["char_start"] < i["char_end"] for i in items)


def test_finsam_application_is_one_item_with_its_budget():
    (item,) = _items("finsam-ansokan-make-it-work-2020")
    assert item["title"].startswith("Make it: work")
    assert item["requested_sek"] == 3_134_337
    assert len(item["cost_lines"]) == 8
    assert (item["period_start"], item["period_end"]) == (date(2020, 4, 1), date(2022, 3, 31))


def test_no_items_outside_applications():
    assert _items("arsanalys-2024-funktionsstodsnamnden", "arsanalys") == []
