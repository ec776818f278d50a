from pathlib import Path

from extractors.amounts import extract_amounts
from extractors.checks import extract_checks
from extractors.funding import extract_funding_requests
from extractors.sections import find_sections
from fsfdocs.model import DocumentMetadata, ParsedDocument
from tests._money_tables import doc_with_table

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def _checks(doc: ParsedDocument) -> list[dict]:
    amounts = extract_amounts(doc)
    return extract_checks(doc, amounts, extract_funding_requests(doc, amounts, find_sections(doc)))


def test_application_items_and_cost_lines_checks_pass():
    doc = ParsedDocument.from_text(
        (CORPUS / "ansokan-sociala-insatser-lokal-utveckling-2023.txt").read_text(encoding="utf-8")
    )
    doc.metadata = DocumentMetadata(doc_type="ansokan")
    checks = _checks(doc)
    assert [c["check"] for c in checks].count("items_vs_total") == 2
    assert len([c for c in checks if c["check"] == "cost_lines_vs_item"]) == 5
    assert all(c["passed"] for c in checks)


def test_total_rows_sum_rows_since_previous_total_and_failures_are_data():
    rows = [
        ["Tkr", "Utfall", "Budget"],
        ["Bidrag", "100", "90"],
        ["Övriga intäkter", "50", "60"],
        ["Totala intäkter", "150", "150"],
        ["Lönekostnader", "-80", "-70"],
        ["PO-Pålägg", "-20", "-20"],
        ["Totala personalkostnader", "-100", "-95"],
        ["Resultat", "50", "55"],
    ]
    checks = _checks(doc_with_table("", rows, 1))
    got = [(c["expected_sek"], c["actual_sek"], c["passed"]) for c in checks]
    assert got == [
        (150_000, 150_000, True), (150_000, 150_000, True),
        (-100_000, -100_000, True), (-95_000, -90_000, False),
    ]


def test_year_columns_vs_total_column():
    rows = [
        ["Budget", "År 2020", "År 2021", "Totalt"],
        ["Personal", "100", "200", "300"],
        ["Externa tjänster", "60", "", "60"],
        ["Totalt", "160", "200", "360"],
    ]
    checks = _checks(doc_with_table("", rows, 1, doc_type="ansokan"))
    years = [c for c in checks if c["check"] == "year_columns_vs_total"]
    assert [c["expected_sek"] for c in years] == [300, 60, 360] and all(c["passed"] for c in years)
    assert len([c for c in checks if c["check"] == "table_rows_vs_total"]) == 3
