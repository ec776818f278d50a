"""Legal references: explicit provisions in every spelling, implicit LSS insatser, gold scores."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.evaluate import GOLD_DIR, load_gold, score
from extractors.legal_refs import extract_legal_refs
from fsfdocs.model import ParsedDocument

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT.parent / "shared" / "corpus"
RAW_DIR = ROOT / "data" / "raw"
DOC_STEMS = [
    "ansokan-sociala-insatser-lokal-utveckling-2023",
    "arsanalys-2024-funktionsstodsnamnden",
    "finsam-ansokan-make-it-work-2020",
    "tjansteskrivelse-modell-overgang-daglig-verksamhet-2025",
]


def refs(text: str) -> list[dict]:
    return extract_legal_refs(ParsedDocument.from_text(text))


def explicit(text: str) -> list[str]:
    return [r["canonical"] for r in refs(text) if r["kind"] == "explicit"]


def implicit(text: str) -> list[tuple[str, str]]:
    return [(r["insats"], r["law"]) for r in refs(text) if r["kind"] == "implicit"]


# --- explicit spellings ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("barnboenden enligt LSS § 9:8 och", ["LSS 9 § 8"]),
        ("ledsagarservice enligt LSS 9§3, kontaktperson", ["LSS 9 § 3"]),
        ("beviljas enligt 9 § 8 LSS.", ["LSS 9 § 8"]),
        ("kontaktperson enligt LSS\n9§4 samt", ["LSS 9 § 4"]),
        ("kontaktperson enligt LSS 9\xa0§\xa04 samt", ["LSS 9 § 4"]),
        ("beslut enligt 5 kap. 7 § SoL.", ["SoL 5 kap. 7 §"]),
        ("beslut enligt 5 kap. §7 SoL.", ["SoL 5 kap. 7 §"]),
        ("Enligt 5 kap. 1 § SOSFS 2011:9 ska", ["SOSFS 2011:9 5 kap. 1 §"]),
        ("personkretsen i 1 § LSS omfattar", ["LSS 1 §"]),
        ("enligt 9 a § LSS gäller", ["LSS 9 a §"]),
        ("enligt 28 f–g §§ LSS ska", ["LSS 28 f §", "LSS 28 g §"]),
        ("enligt 9 § och 28 f-g §§ LSS ska", ["LSS 9 §", "LSS 28 f §", "LSS 28 g §"]),
        ("enligt 3-5 §§ LSS", ["LSS 3 §", "LSS 4 §", "LSS 5 §"]),
        ("enligt 9 § punkt 10 LSS", ["LSS 9 § 10"]),
        ("enligt 51 kap. SFB", ["SFB 51 kap."]),
        ("enligt 4 kap. 1 § socialtjänstlagen", ["SoL 4 kap. 1 §"]),
        (
            "enligt 9 § 10 lagen om stöd och service till vissa funktionshindrade",
            ["LSS 9 § 10"],
        ),
        ("enligt 2 kap. 1 § hälso- och sjukvårdslagen", ["HSL 2 kap. 1 §"]),
        ("enligt 19 kap. 1 § LOU", ["LOU 19 kap. 1 §"]),
    ],
)
def test_explicit_spellings(text: str, expected: list[str]) -> None:
    assert explicit(text) == expected


def test_ocr_dollar_for_paragraph_sign() -> None:
    assert explicit("insats enligt LSS 9$10 för") == ["LSS 9 § 10"]


def test_explicit_lss_point_gets_insats() -> None:
    got = {r["canonical"]: r["insats"] for r in refs("enligt LSS 9§8 och LSS 9§9.")}
    assert got == {"LSS 9 § 8": "boende_barn", "LSS 9 § 9": "bostad_vuxna"}


def test_explicit_fields_and_span() -> None:
    text = "Placering enligt 5 kap. §7 SoL gäller."
    (r,) = [r for r in refs(text) if r["kind"] == "explicit"]
    assert (r["law"], r["chapter"], r["paragraph"], r["point"]) == ("SoL", "5", "7", None)
    assert text[r["char_start"] : r["char_end"]] == r["raw_text"] == "5 kap. §7 SoL"
    assert r["extractor"] == "legal_rule" and r["confidence"] > 0.9


def test_statute_citations() -> None:
    got = refs(
        "Lag (1993:387) om stöd och service till vissa funktionshindrade\n\n"
        "Socialtjänstlag (2001:453), SoL"
    )
    pairs = [(r["canonical"], r["statute"], r["paragraph"]) for r in got if r["kind"] == "explicit"]
    assert pairs == [("LSS", "1993:387", None), ("SoL", "2001:453", None)]


def test_bare_law_name_is_no_record() -> None:
    assert explicit("Verksamheter enligt SoL (socialtjänstlagen) och LSS ska utreda.") == []


def test_paragraph_takes_law_from_context() -> None:
    got = [r for r in refs("Beslut fattas enligt SoL. Av 4 kap. 1 § följer rätt till bistånd.")]
    (r,) = [r for r in got if r["kind"] == "explicit"]
    assert r["canonical"] == "SoL 4 kap. 1 §"
    assert r["confidence"] < 0.98


def test_paragraph_without_law_has_null_law() -> None:
    (r,) = [r for r in refs("Av 4 kap 1 § följer rätt till bistånd.") if r["kind"] == "explicit"]
    assert r["law"] is None and r["canonical"] == "4 kap. 1 §" and r["confidence"] <= 0.5


def test_law_context_does_not_cross_paragraph_break() -> None:
    got = refs("Insatser enligt LSS.\n\nAv 4 kap. 1 § följer")
    (r,) = [r for r in got if r["kind"] == "explicit"]
    assert r["law"] is None


def test_numbers_and_dates_are_no_provisions() -> None:
    text = "Under 2024 ökade kostnaden med 9 procent till 2 260 kronor (2023: 2325)."
    assert explicit(text) == []


# --- implicit insatser ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "insats"),
    [
        ("brukare med daglig verksamhet", "daglig_verksamhet"),
        ("fler dagliga verksamheter startas", "daglig_verksamhet"),
        ("daglig verksamhets övergripande mål", "daglig_verksamhet"),
        ("LSS-insatsen daglig verksamhet", "daglig_verksamhet"),
        ("insatsen personlig assistans", "personlig_assistans"),
        ("den personliga assistansen ökar", "personlig_assistans"),
        ("ledsagarservice", "ledsagarservice"),
        ("barn med ledsagning", "ledsagarservice"),
        ("insatsen kontaktperson", "kontaktperson"),
        ("avlösarservice i hemmet", "avlosarservice"),
        ("avlösning i hemmet", "avlosarservice"),
        ("korttidsvistelse för barn", "korttidsvistelse"),
        ("platser på korttidsboendena", "korttidsvistelse"),
        ("korttidstillsyn för skolungdom", "korttidstillsyn"),
        ("nya barnboenden öppnar", "boende_barn"),
        ("bostad med särskild service för barn och ungdomar", "boende_barn"),
        ("LSS-boende för barn och unga", "boende_barn"),
        ("bostad med särskild service för vuxna", "bostad_vuxna"),
        ("gruppbostad LSS", "bostad_vuxna"),
        ("flytt till en servicebostad", "bostad_vuxna"),
        ("insatsen råd och stöd", "radgivning"),
        ("rådgivning och annat personligt stöd", "radgivning"),
    ],
)
def test_implicit_insats(text: str, insats: str) -> None:
    assert (insats, "LSS") in implicit(text)
    (r,) = [r for r in refs(text) if r["kind"] == "implicit"]
    point = {"radgivning": "1", "daglig_verksamhet": "10"}.get(insats)
    if point:
        assert r["canonical"] == f"LSS 9 § {point}"


def test_generic_advice_is_not_radgivning() -> None:
    assert implicit("Personalen ger råd och stöd till anhöriga.") == []


def test_suspended_hyphen_coordination() -> None:
    got = implicit("insats inom avlösning-, ledsagning- och kontaktpersonsverksamheten")
    assert {i for i, _ in got} == {"avlosarservice", "ledsagarservice", "kontaktperson"}


def test_defined_abbreviation_counts() -> None:
    text = "brukare med daglig verksamhet (DV) har stöd. DV-insatsen avslutas. DV´s handledare."
    got = implicit(text)
    # the phrase, DV-insatsen and DV´s; the definition "(DV)" is part of the first mention
    assert got.count(("daglig_verksamhet", "LSS")) == 3


def test_undefined_abbreviation_does_not_count() -> None:
    assert implicit("Projektet DV 2030 fortsätter.") == []


def test_personlig_assistans_sfb() -> None:
    assert implicit("utvecklingen inom personlig assistans SFB") == [("personlig_assistans", "SFB")]
    both = implicit("Personlig assistans SFB och LSS  -43 235")
    assert sorted(both) == [("personlig_assistans", "LSS"), ("personlig_assistans", "SFB")]
    (r,) = refs("ansökan om assistansersättning")
    assert (r["law"], r["canonical"], r["insats"]) == ("SFB", "SFB 51 kap.", "personlig_assistans")


def test_sol_service_is_no_lss_insats() -> None:
    assert implicit("kontaktperson enligt SoL") == []
    assert implicit("bostad med särskild service enligt socialtjänstlagen") == []


def test_unqualified_bostad_defaults_to_adults_with_low_confidence() -> None:
    (r,) = refs("De nya LSS-bostäderna öppnar.")
    assert r["insats"] == "bostad_vuxna" and r["confidence"] <= 0.6


def test_mention_followed_by_explicit_ref_is_not_doubled() -> None:
    got = refs("ledsagarservice enligt LSS 9§3")
    assert [(r["kind"], r["insats"]) for r in got] == [("explicit", "ledsagarservice")]


def test_implicit_span_is_grounded() -> None:
    text = "Många har\ndagliga verksamheter i staden."
    (r,) = refs(text)
    assert text[r["char_start"] : r["char_end"]] == r["raw_text"] == "dagliga verksamheter"
    assert r["extractor"] == "lss_rule" and r["kind"] == "implicit"


# --- gold ----------------------------------------------------------------------------------


def _score(stem: str, name: str, records: list[dict]):
    gold = load_gold(GOLD_DIR / stem / f"{name}.yaml")
    actual = [r for r in records if all(r.get(k) == v for k, v in gold["filter"].items())]
    key = gold["match_fields"][0]
    if not gold.get("distinct"):
        return score(gold["records"], actual, gold["match_fields"])
    want = sorted({r[key] for r in gold["records"]})
    got = sorted({r[key] for r in actual if r.get(key) is not None})
    return score([{key: v} for v in want], [{key: v} for v in got], [key])


@pytest.mark.parametrize("stem", DOC_STEMS)
def test_corpus_gold(stem: str) -> None:
    doc = ParsedDocument.from_text((CORPUS_DIR / f"{stem}.txt").read_text(encoding="utf-8"))
    records = extract_legal_refs(doc)
    assert _score(stem, "legal_refs", records).f1 == 1.0
    assert _score(stem, "insatser", records).f1 >= 0.95


def test_per_item_insatser() -> None:
    stem = DOC_STEMS[0]
    text = (CORPUS_DIR / f"{stem}.txt").read_text(encoding="utf-8")
    per_item = load_gold(GOLD_DIR / stem / "insatser.yaml")["per_item"]
    # Item bodies: from the detailed heading "N. ..." to the next one (after the summary list).
    body = text[text.index("Total summa ansökta medel") :]
    starts = [body.index(f"\n{n}. ") for n in range(1, 9)] + [len(body)]
    for n in range(1, 9):
        chunk = body[starts[n - 1] : starts[n]]
        got = {r["insats"] for r in refs(chunk) if r["insats"]}
        assert got == set(per_item[n]), n


@pytest.mark.slow
@pytest.mark.skipif(not RAW_DIR.is_dir(), reason="no corpus PDFs")
@pytest.mark.parametrize("stem", DOC_STEMS)
def test_corpus_gold_on_parsed_pdfs(stem: str) -> None:
    from fsfdocs.parse import parse_pdf

    pdf = RAW_DIR / f"{stem}.pdf"
    if not pdf.is_file():
        pytest.skip(f"{pdf} missing")
    records = extract_legal_refs(parse_pdf(pdf))
    assert _score(stem, "legal_refs", records).f1 == 1.0
    assert _score(stem, "insatser", records).f1 >= 0.95


def test_unqualified_bostad_resolved_by_following_age_group() -> None:
    (r,) = refs("Bostad med särskild service enligt LSS för barn ökar.")
    assert r["insats"] == "boende_barn"
