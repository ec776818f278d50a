"""Target groups: phrase rules, categorize_phrase, corpus gold (recall, no unsupported category)."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.evaluate import GOLD_DIR, load_gold
from extractors.target_groups import categorize_phrase, extract_target_groups
from fsfdocs.model import ParsedDocument

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT.parent / "shared" / "corpus"
DOC_STEMS = [
    "ansokan-sociala-insatser-lokal-utveckling-2023",
    "arsanalys-2024-funktionsstodsnamnden",
    "finsam-ansokan-make-it-work-2020",
    "tjansteskrivelse-modell-overgang-daglig-verksamhet-2025",
]


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("barn och unga med funktionsnedsättning", ["barn_och_unga", "funktionsnedsattning"]),
        ("barn och ungdomar", ["barn_och_unga"]),
        ("ungdomarna", ["barn_och_unga"]),
        ("unga vuxna", ["unga_vuxna"]),
        ("äldre personer", ["aldre"]),
        ("ensamhet bland äldre", ["aldre"]),
        ("personer med neuropsykiatriska funktionsnedsättningar", ["npf"]),
        ("Malmöbor med NPF", ["npf"]),
        ("autismspektrumtillstånd", ["autism"]),
        ("intellektuell funktionsnedsättning", ["intellektuell_funktionsnedsattning"]),
        ("personer med utvecklingsstörning", ["intellektuell_funktionsnedsattning"]),
        ("psykisk ohälsa", ["psykisk_funktionsnedsattning"]),
        ("psykisk funktionsnedsättning", ["psykisk_funktionsnedsattning"]),
        ("personer med rörelsehinder", ["fysisk_funktionsnedsattning"]),
        (
            "fysiska och psykiska funktionsnedsättningar",
            ["fysisk_funktionsnedsattning", "psykisk_funktionsnedsattning"],
        ),
        ("personkrets 1, 2 och 3", ["personkrets_1", "personkrets_2", "personkrets_3"]),
        ("personkrets 3 enligt LSS", ["personkrets_3"]),
        ("anhöriga", ["anhoriga"]),
        ("vårdnadshavare", ["vardnadshavare"]),
        ("föräldrar", ["vardnadshavare"]),
        ("DV-brukare", ["dv_deltagare"]),
        ("brukare med daglig verksamhet", ["dv_deltagare"]),
        ("deltagarna i daglig verksamhet", ["dv_deltagare"]),
    ],
)
def test_categorize_phrase(phrase: str, expected: list[str]) -> None:
    assert categorize_phrase(phrase) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Lokalen är äldre än tio år.",
        "äldre lokaler renoveras",
        "lagen om stöd och service till vissa funktionshindrade",
        "Barnperspektivet och föräldraavdraget diskuterades.",
        "Projektet DV 2030 fortsätter.",
        "anhörigskap och anhörigdagen",
    ],
)
def test_no_false_positive(text: str) -> None:
    assert categorize_phrase(text) == []


def test_one_record_per_mention_with_span() -> None:
    text = "Stöd till anhöriga.\nFler anhöriga och vårdnadshavare deltog."
    recs = extract_target_groups(ParsedDocument.from_text(text))
    assert [r["category"] for r in recs] == ["anhoriga", "anhoriga", "vardnadshavare"]
    for r in recs:
        assert text[r["char_start"] : r["char_end"]] == r["raw_text"]
        assert r["extractor"] == "rule" and 0 < r["confidence"] <= 1


def test_phrase_across_line_break() -> None:
    text = "för personer med intellektuell\nfunktionsnedsättning"
    recs = extract_target_groups(ParsedDocument.from_text(text))
    assert [r["category"] for r in recs] == ["intellektuell_funktionsnedsattning"]


@pytest.mark.parametrize("stem", DOC_STEMS)
def test_corpus_gold(stem: str) -> None:
    doc = ParsedDocument.from_text((CORPUS_DIR / f"{stem}.txt").read_text(encoding="utf-8"))
    got = {r["category"] for r in extract_target_groups(doc)}
    want = {r["category"] for r in load_gold(GOLD_DIR / stem / "target_groups.yaml")["records"]}
    assert got <= want, f"unsupported categories: {got - want}"
    assert len(got & want) / len(want) >= 0.9, f"missed: {want - got}"
