from pathlib import Path

import pytest

from extractors.evaluate import evaluate_document, score
from fsfdocs.model import DocumentMetadata, ParsedDocument

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def test_score_is_a_multiset_match():
    exp = [{"value_sek": 5}, {"value_sek": 5}, {"value_sek": 7}]
    act = [{"value_sek": 5}, {"value_sek": 8}]
    s = score(exp, act, ["value_sek"])
    assert (s.tp, s.fp, s.fn) == (1, 1, 2)
    assert s.precision == 0.5 and s.recall == pytest.approx(1 / 3)


def test_prefix_and_normalised_strings():
    s = score([{"title": "make it:  WORK"}], [{"title": "Make it: work- från förarbete"}],
              ["title"], ["title"])
    assert s.f1 == 1.0
    assert score([], [], ["x"]).f1 == 1.0


def test_evaluate_document_reads_gold_and_filters(tmp_path):
    d = tmp_path / "doc"
    d.mkdir()
    (d / "amounts.yaml").write_text(
        "table: amounts\nfilter: {source: text}\nmatch_fields: [value_sek, source]\n"
        "records:\n  - {value_sek: 5, source: text}\n"
    )
    recs = {"amounts": [{"value_sek": 5, "source": "text"}, {"value_sek": 9, "source": "table"}]}
    assert evaluate_document("doc", recs, gold_dir=tmp_path)["amounts"].f1 == 1.0


@pytest.mark.parametrize("stem", ["ansokan-sociala-insatser-lokal-utveckling-2023",
                                  "finsam-ansokan-make-it-work-2020",
                                  "arsanalys-2024-funktionsstodsnamnden",
                                  "tjansteskrivelse-modell-overgang-daglig-verksamhet-2025"])
def test_text_amounts_and_items_meet_goals_on_corpus_text(stem):
    from extractors.amounts import extract_amounts
    from extractors.funding import extract_funding_requests
    from extractors.sections import find_sections

    doc = ParsedDocument.from_text((CORPUS / f"{stem}.txt").read_text(encoding="utf-8"))
    doc.metadata = DocumentMetadata(doc_type=stem.split("-")[0].replace("finsam", "ansokan"))
    amounts = extract_amounts(doc)
    funding = extract_funding_requests(doc, amounts, find_sections(doc))
    scores = evaluate_document(stem, {"amounts": amounts, "funding_requests": funding})
    assert scores["amounts"].f1 >= 0.98
    assert scores["funding_items"].f1 == 1.0


def test_distinct_gold_scores_sets_of_values(tmp_path) -> None:
    from extractors.evaluate import evaluate_document

    folder = tmp_path / "doc"
    folder.mkdir()
    (folder / "target_groups.yaml").write_text(
        "table: target_groups\nmatch_fields: [category]\ndistinct: true\n"
        "records:\n  - {category: npf}\n  - {category: autism}\n", encoding="utf-8")
    actual = [{"category": "npf"}, {"category": "npf"}, {"category": None},
              {"category": "aldre"}]
    s = evaluate_document("doc", {"target_groups": actual}, gold_dir=tmp_path)["target_groups"]
    assert (s.tp, s.fp, s.fn) == (1, 1, 1)
