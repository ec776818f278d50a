import pytest

from extractors.amounts import extract_amounts
from fsfdocs.model import ParsedDocument


def _amounts(text: str) -> list[dict]:
    return extract_amounts(ParsedDocument.from_text(text))


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("Summa ansökta medel: 500 000 kronor.", 500_000, "kronor"),
        ("Kostnad 69 000 kr för kursen.", 69_000, "kr"),
        ("Totalt 1 148 000 kr.", 1_148_000, "kr"),
        ("tilläggsbudget om 4,1 miljoner kronor för jobb", 4_100_000, "miljoner kronor"),
        ("budgeten var 12 mkr i år", 12_000_000, "mkr"),
        ("ramen är 3,5 mnkr", 3_500_000, "mnkr"),
        ("utfallet blev 250 tkr", 250_000, "tkr"),
        ("en investering om 2 miljarder kronor", 2_000_000_000, "miljarder kronor"),
        ("avgiften är 500kr per månad", 500, "kr"),
        ("kommunbidrag om 2 662\nmiljoner kronor", 2_662_000_000, "miljoner kronor"),
        ("summan 1 148\n000 kr", 1_148_000, "kr"),
        ("kostnaden 69\u00a0000\u00a0kr", 69_000, "kr"),
        ("kostnaden 69\u202f000 kr", 69_000, "kr"),
        ("ett bidrag om en miljon kronor", 1_000_000, "miljoner kronor"),
        ("budgeten minskar med två miljoner kronor", 2_000_000, "miljoner kronor"),
        ("årskostnaden sjönk med 0,5 miljoner 2024", 500_000, "miljoner"),
    ],
)
def test_swedish_amount_forms(text, value, unit):
    found = _amounts(text)
    assert [a["value_sek"] for a in found] == [value]
    assert found[0]["unit"] == unit and found[0]["source"] == "text"
    assert text[found[0]["char_start"] : found[0]["char_end"]] == found[0]["raw_text"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("avvikelsen blev -50 986 kr", -50_986),
        ("avvikelsen blev − 2,5 miljoner kronor", -2_500_000),
        ("avvikelsen blev - 2,5 mkr", -2_500_000),
        ("förändring +7,1 miljoner kronor", 7_100_000),
    ],
)
def test_signed_amounts(text, value):
    assert [a["value_sek"] for a in _amounts(text)] == [value]


def test_range_keeps_both_bounds_and_year_is_not_a_range_start():
    (a,) = _amounts("kostnaden beräknas till 12–15 miljoner kronor.")
    assert (a["value_sek"], a["value_max_sek"]) == (12_000_000, 15_000_000)
    found = _amounts("minskat från 114 miljoner kronor 2023 till 35 miljoner kronor 2024.")
    assert [(a["value_sek"], a["value_max_sek"]) for a in found] == [
        (114_000_000, None), (35_000_000, None),
    ]


def test_not_amounts():
    text = (
        "Andelen var 84 procent och 15 % av 807 personer. Enligt SOSFS 2011:9 och SFS 1993:387 "
        "gjordes 32 511 timmar under 2024. Dnr FSN-2024-123, tel 010-118 66 26, sida 15 (66). "
        "Befolkningen växte med 2 miljoner invånare."
    )
    assert _amounts(text) == []


def test_qualifier_kind_label_and_period():
    text = (
        "Förvaltningen ansöker om medel för en total summa om 3 500 000 kronor.\n\n"
        "Arbetskonsulent: 1 heltidstjänst: 1 209 124 kronor\n\n"
        "Rosengårdsbiblioteket: Två aktivitetsledare, totalt 376 000 kronor, september-december "
        "2023.\n\n"
        "Verksamheten redovisar en negativ budgetavvikelse om cirka 35 miljoner kronor för 2024."
    )
    total, konsulent, bibliotek, avvikelse = _amounts(text)
    assert total["kind"] == "requested_total"
    assert konsulent["label"] == "Arbetskonsulent"
    assert bibliotek["label"] == "Rosengårdsbiblioteket: Två aktivitetsledare"
    assert bibliotek["qualifier"] == "totalt" and bibliotek["period"] == "2023-09/2023-12"
    assert avvikelse["kind"] == "deviation" and avvikelse["qualifier"] == "cirka"
    assert avvikelse["period"] == "2024"


def test_generic_label_takes_the_numbered_item_title():
    text = "1. Kompetensutveckling av personal.\nSumma ansökta medel: 500 000 kronor.\n"
    (a,) = _amounts(text)
    assert a["kind"] == "requested_item"
    assert a["label"] == "Kompetensutveckling av personal"


def test_text_amounts_skip_table_spans():
    from tests._money_tables import doc_with_table

    doc = doc_with_table("Intro 5 kr.\n", [["Tkr", "Utfall"], ["Bidrag", "100 kr"]], 1)
    text_amounts = [a for a in extract_amounts(doc) if a["source"] == "text"]
    assert [a["value_sek"] for a in text_amounts] == [5]
