"""The fsfdocs NER: shipped model, entity records grounded in the text, ruler, data, training."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

from extractors.entities import extract_entities, find_target_group_phrases
from fsfdocs.model import ParsedDocument, Table
from fsfdocs.ner.annotations import load_annotations, record_to_doc, split
from fsfdocs.ner.corpus import load_docs, read_sentences
from fsfdocs.ner.paths import ANNOTATIONS_DIR, DEFAULT_MODEL_DIR
from fsfdocs.ner.pipeline import blank_pipeline, load_pipeline

# Sentences written for these tests: none of them is in the training data.
UNSEEN = (
    "Enligt Karin Lindqvist på Kriminalvården i Göteborg har samarbetet med Skatteverket "
    "fungerat väl sedan i våras."
)
UNSEEN_GROUPS = "Träffarna vänder sig till ungdomar med autism eller adhd och deras vårdnadshavare."


def _ents(records: list[dict], label: str) -> list[str]:
    return [r["text"] for r in records if r["label"] == label]


def test_shipped_model_loads_offline_with_ruler_before_ner():
    nlp = load_pipeline()
    assert (DEFAULT_MODEL_DIR / "meta.json").exists()
    assert nlp.lang == "sv"
    assert nlp.pipe_names.index("entity_ruler") < nlp.pipe_names.index("ner")
    assert set(nlp.get_pipe("ner").labels) >= {"ORG", "PERSON", "PLACE", "MALGRUPP"}
    assert load_pipeline() is nlp  # cached per process


def test_model_finds_org_person_place_in_unseen_sentence():
    records = extract_entities(ParsedDocument.from_text(UNSEEN))
    assert "Karin Lindqvist" in _ents(records, "PERSON")
    assert "Göteborg" in _ents(records, "PLACE")
    assert any("Kriminalvården" in t for t in _ents(records, "ORG"))
    person = next(r for r in records if r["text"] == "Karin Lindqvist")
    assert person["extractor"] == "ner"  # no gazetteer knows the name: the model found it


def test_offsets_map_back_to_document_text_exactly():
    text = (
        "Rubrik\n\nFunktionsstödsförvaltningen i Malmö\nstad samarbetar med\n"
        "Försäkringskassan.\f"
        "Ansvariga\nPer Svensson, avdelningschef\n\nInsatsen gäller personer med\n"
        "intellektuell funktionsnedsättning."
    )
    doc = ParsedDocument.from_text(text)
    records = extract_entities(doc)
    assert records
    for r in records:
        assert doc.text[r["char_start"]:r["char_end"]] == r["raw_text"]
        assert r["text"] == " ".join(r["raw_text"].split())
        assert 0 < r["confidence"] <= 1
        assert r["extractor"] in {"ner", "ner_ruler"}
    orgs = _ents(records, "ORG")
    assert "Malmö stad" in orgs  # across a line break
    assert "Försäkringskassan" in orgs
    groups = _ents(records, "MALGRUPP")
    assert "personer med intellektuell funktionsnedsättning" in groups
    assert [r["char_start"] for r in records] == sorted(r["char_start"] for r in records)


def test_table_spans_are_skipped():
    text = "Arbetsförmedlingen deltar.\n\nMigrationsverket\t10 937\n\nSlut."
    doc = ParsedDocument.from_text(text)
    start = text.index("Migrationsverket")
    end = text.index("\n\nSlut")
    doc.tables = [Table("t1", [1], None, 1, 2, 0, [], start, end)]
    orgs = _ents(extract_entities(doc), "ORG")
    assert "Arbetsförmedlingen" in orgs
    assert "Migrationsverket" not in orgs


def test_malgrupp_ruler_finds_target_group_phrases():
    doc = ParsedDocument.from_text(UNSEEN_GROUPS)
    phrases = find_target_group_phrases(doc)
    texts = [p["text"] for p in phrases]
    assert "ungdomar med autism eller adhd" in texts
    assert "vårdnadshavare" in texts
    assert {p["label"] for p in phrases} == {"MALGRUPP"}
    assert all(p["extractor"] == "ner_ruler" for p in phrases)


def test_ruler_patterns_follow_swedish_conventions():
    nlp = blank_pipeline()
    doc = nlp("Lunds kommun, FK:s handläggare och Socialstyrelsens rapport om barn och unga med "
              "funktionsnedsättning inom personkrets 1 och 2 i Rosengård.")
    found = {(e.text, e.label_) for e in doc.ents}
    assert ("Lunds kommun", "ORG") in found
    assert ("FK:s", "ORG") in found
    assert ("Socialstyrelsens", "ORG") in found
    assert ("barn och unga med funktionsnedsättning", "MALGRUPP") in found
    assert ("personkrets 1 och 2", "MALGRUPP") in found
    assert ("Rosengård", "PLACE") in found
    assert not any(e.text.startswith("En ") for e in nlp("Målområde - En stad med mål.").ents)


def test_own_annotations_align_and_split_is_fixed():
    records = load_annotations(ANNOTATIONS_DIR)
    assert len(records) >= 150
    assert len({r["id"] for r in records}) == len(records)
    nlp = spacy.blank("sv")
    labels = set()
    for r in records:
        doc = record_to_doc(nlp, r)  # raises when a span does not align to tokens
        labels |= {e.label_ for e in doc.ents}
    assert labels == {"ORG", "PERSON", "PLACE", "MALGRUPP"}
    train, held = split(records)
    assert split(records) == (train, held)
    assert 0.12 < len(held) / len(records) < 0.28
    assert not {r["id"] for r in train} & {r["id"] for r in held}


TINY_CORPUS = (
    "Anna\tPER\nAndersson\tPER\narbetar\t0\npå\t0\nVolvo\tORG\ni\t0\nGöteborg\tLOC\n.\t0\n\n"
    "Han\t0\nsåg\t0\nVM\tMISC\ni\t0\nStockholm\tLOC\n.\t0\n\n"
    "Erik\tPER\nNilsson\tPER\nleder\t0\nRöda\tORG\nKorset\tORG\n.\t0\n\n"
    "Det\t0\nregnade\t0\n.\t0\n\n"
    "Sara 0\nbor\t0\ni\t0\nLund\tLOC\n.\t0\n"
)


def test_corpus_reader_maps_labels_and_merges_tokens(tmp_path: Path):
    path = tmp_path / "c.txt"
    path.write_text(TINY_CORPUS, encoding="utf-8")
    sents = list(read_sentences(path))
    assert len(sents) == 5
    assert sents[4][0] == ("Sara", "0")  # a line with a single space as separator
    docs = load_docs(path, spacy.blank("sv").vocab)
    assert [(e.text, e.label_) for e in docs[0].ents] == [
        ("Anna Andersson", "PERSON"), ("Volvo", "ORG"), ("Göteborg", "PLACE")]
    assert [(e.text, e.label_) for e in docs[1].ents] == [("Stockholm", "PLACE")]  # MISC dropped
    assert docs[0].text == "Anna Andersson arbetar på Volvo i Göteborg."


def _tiny_training_data(tmp_path: Path) -> tuple[Path, Path]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "train_corpus.txt").write_text(TINY_CORPUS * 4, encoding="utf-8")
    (corpus / "test_corpus.txt").write_text(TINY_CORPUS, encoding="utf-8")
    annotations = tmp_path / "annotations"
    annotations.mkdir()
    lines = load_annotations(ANNOTATIONS_DIR)[:30]
    (annotations / "a.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines), encoding="utf-8")
    return corpus, annotations


def test_tiny_train_run_produces_loadable_model(tmp_path: Path):
    from fsfdocs.ner.train import train_ner

    corpus, annotations = _tiny_training_data(tmp_path)
    out = tmp_path / "model"
    reports = train_ner(output_dir=out, corpus_dir=corpus, annotations_dir=annotations,
                        max_steps=15)
    nlp = load_pipeline(out)
    assert nlp.pipe_names == ["entity_ruler", "ner"]
    assert nlp.meta["name"] == "ner_sv"
    assert "Försäkringskassan" in [e.text for e in nlp("Hon ringde Försäkringskassan.").ents]
    names = [r.name for r in reports]
    assert names[0] == "webbnyheter test"
    assert any(n.startswith("own held-out") for n in names)
    saved = json.loads((out / "scores.json").read_text(encoding="utf-8"))
    assert [s["name"] for s in saved] == names
    assert {s["label"] for s in saved[0]["labels"]} == {"ORG", "PERSON", "PLACE"}


def test_training_is_repeatable_with_a_fixed_seed(tmp_path: Path):
    from fsfdocs.ner.train import train_ner

    corpus, annotations = _tiny_training_data(tmp_path)
    weights = []
    for name in ("a", "b"):
        out = tmp_path / name
        train_ner(output_dir=out, corpus_dir=corpus, annotations_dir=annotations, max_steps=10,
                  evaluate=False)
        weights.append((out / "ner" / "model").read_bytes())
    assert weights[0] == weights[1]


def test_load_pipeline_without_model_says_how_to_train(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="train-ner"):
        load_pipeline(tmp_path / "nothing")
