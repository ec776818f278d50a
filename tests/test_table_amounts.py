from extractors.amounts import extract_amounts
from extractors.tables import extract_table_amounts
from tests._money_tables import doc_with_table

RESULT = [
    ["Tkr", "Utfall", "Budget", "Avvikelse"],
    ["Bidrag", "182 706", "161 060", "21 646"],
    ["Lönekostnader", "-1 319 535", "−1 288 671", "-30 864"],
    ["Kommunbidrag", "2 662 074", "2 662 074", "0"],
]


def test_money_table_cells_with_labels_unit_kind_and_period():
    doc = doc_with_table("Resultaträkning\n", RESULT, header_rows=1)
    cells = extract_table_amounts(doc)
    assert len(cells) == 9
    by = {(c["row_label"], c["column_label"]): c for c in cells}
    assert by[("Bidrag", "Utfall")]["value_sek"] == 182_706_000
    assert by[("Lönekostnader", "Budget")]["value_sek"] == -1_288_671_000
    assert by[("Kommunbidrag", "Avvikelse")]["value_sek"] == 0
    assert by[("Bidrag", "Utfall")]["kind"] == "outcome"
    assert by[("Bidrag", "Budget")]["kind"] == "budget"
    assert by[("Bidrag", "Avvikelse")]["kind"] == "deviation"
    assert {c["unit"] for c in cells} == {"tkr"} and {c["period"] for c in cells} == {"2024"}
    cell = by[("Bidrag", "Utfall")]
    assert doc.text[cell["char_start"] : cell["char_end"]] == "182 706"
    assert all(c["source"] == "table" and c["table_id"] == "t1" for c in cells)


def test_budget_table_in_kronor_with_year_columns_and_empty_cells():
    rows = [
        ["Sammanställd budget", "År 2020", "År 2021", "Totalt"],
        ["Personal", "1 053 804", "1 437 703", "2 491 507"],
        ["Lokaler", "", "", ""],
    ]
    cells = extract_table_amounts(doc_with_table("", rows, 1, doc_type="ansokan"))
    assert [(c["value_sek"], c["period"]) for c in cells] == [
        (1_053_804, "2020"), (1_437_703, "2021"), (2_491_507, "2024"),
    ]
    assert {c["unit"] for c in cells} == {"kr"}
    assert cells[0]["kind"] == "cost_line"


def test_unit_from_caption_and_percent_or_count_tables_give_nothing():
    rows = [["Område", "Utfall"], ["Bidrag", "4,1"]]
    (cell,) = extract_table_amounts(doc_with_table("", rows, 1, caption="Belopp i mnkr"))
    assert cell["value_sek"] == 4_100_000 and cell["unit"] == "mnkr"
    percent = [["Område", "Andel"], ["LSS", "84 %"]]
    assert extract_table_amounts(doc_with_table("", percent, 1)) == []
    counts = [["Område", "Antal brukare"], ["LSS", "1 002"]]
    assert extract_table_amounts(doc_with_table("", counts, 1)) == []


def test_extract_amounts_merges_text_and_table_in_order():
    doc = doc_with_table("Nämnden fick 5 miljoner kronor.\n", RESULT, 1, after="Sedan 7 kr.\n")
    recs = extract_amounts(doc)
    assert [r["source"] for r in recs] == ["text"] + ["table"] * 9 + ["text"]


def test_single_value_column_table_takes_its_kind_from_its_own_words():
    causes = [
        ["Viktiga orsaker till årets resultat", "Utfall"],
        ["Daglig verksamhet LSS", "16 658"],
        ["Personlig assistans SFB och LSS", "-43 235"],
        ["Summa budgetavvikelser", "-26 577"],
    ]
    doc = doc_with_table("Tkr\n", causes, header_rows=1, caption="Orsaker till årets resultat")
    assert {c["kind"] for c in extract_table_amounts(doc)} == {"deviation"}
    grants = [["RIKTADE STATSBIDRAG, benämning", "Utfall (tkr)"], ["Statsbidrag A", "10 937"]]
    doc = doc_with_table("", grants, header_rows=1, caption="Riktade statsbidrag")
    assert {c["kind"] for c in extract_table_amounts(doc)} == {"grant"}
    # with several value columns the column labels decide, whatever the table says
    doc = doc_with_table("Budgetavvikelse\n", RESULT, header_rows=1, caption="Budgetavvikelse")
    kinds = {c["column_label"]: c["kind"] for c in extract_table_amounts(doc)}
    assert kinds == {"Utfall": "outcome", "Budget": "budget", "Avvikelse": "deviation"}
