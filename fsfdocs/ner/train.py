"""Reproducible training of the fsfdocs NER pipeline (``fsfdocs train-ner``).

Data: the Webbnyheter 2012 training file (mapped to ORG/PERSON/PLACE, see :mod:`.corpus`) plus
the training split of our own annotations, repeated ``own_weight`` times so the municipal
vocabulary weighs against the news text. The statistical ``ner`` is trained with the committed
``config.cfg`` on one CPU thread with a fixed seed; the final weights (``model-last``, no
selection on evaluation data) get the entity ruler and are written to ``models/ner_sv``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path

from fsfdocs.ner.paths import ANNOTATIONS_DIR, CONFIG_PATH, model_dir, webbnyheter_dir

MODEL_NAME = "ner_sv"
MODEL_VERSION = "1.0.0"
CORPUS_CREDIT = (
    "Swedish manually annotated NER (Webbnyheter 2012, Språkbanken; klintan/swedish-ner-corpus), "
    "CC BY 4.0; plus fsfdocs' own annotations of Funktionsstödsförvaltningen documents"
)

MODEL_CARD = """# ner_sv — fsfdocs Swedish NER pipeline

`spacy.blank("sv")` + `entity_ruler` (patterns: `fsfdocs/ner/ruler_patterns.yaml`) + a statistical
`ner` (config: `fsfdocs/ner/config.cfg`) for ORG, PERSON, PLACE and MALGRUPP. Rebuild with
`fsfdocs train-ner`; scores of this build are in `scores.json`.

Trained on the "Swedish manually annotated NER" corpus (Webbnyheter 2012 news text from
Språkbanken, repository klintan/swedish-ner-corpus), licensed CC BY 4.0
(https://creativecommons.org/licenses/by/4.0/); tags mapped PER→PERSON, ORG→ORG, LOC→PLACE,
MISC dropped. Also trained on fsfdocs' own annotated sentences (`data/annotations/`).
"""


def limit_threads() -> None:
    """One BLAS/OpenMP thread: training must fit one core and be repeatable."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
        os.environ[var] = "1"


def train_ner(
    output_dir: Path | None = None,
    corpus_dir: Path | None = None,
    annotations_dir: Path = ANNOTATIONS_DIR,
    max_steps: int | None = None,
    seed: int = 42,
    own_weight: int = 3,
    train_limit: int | None = None,
    test_limit: int | None = None,
    evaluate: bool = True,
) -> list:
    """Train the pipeline, write it to ``output_dir`` (default ``models/ner_sv``) and return the
    evaluation reports (also written to ``<output_dir>/scores.json``).

    ``max_steps`` overrides the config; ``train_limit`` / ``test_limit`` cap the number of news
    sentences (for quick runs and tests).
    """
    limit_threads()
    import spacy
    from spacy.cli.train import train as spacy_train
    from spacy.tokens import DocBin

    from fsfdocs.ner.annotations import load_annotations, record_to_doc, split
    from fsfdocs.ner.corpus import load_docs
    from fsfdocs.ner.evaluate import evaluate_pipeline
    from fsfdocs.ner.pipeline import add_ruler

    output_dir = Path(output_dir) if output_dir is not None else model_dir()
    corpus_dir = Path(corpus_dir) if corpus_dir is not None else webbnyheter_dir()
    nlp = spacy.blank("sv")
    train_docs = load_docs(corpus_dir / "train_corpus.txt", nlp.vocab, limit=train_limit)
    own_train, own_held = split(load_annotations(annotations_dir))
    own_docs = [record_to_doc(nlp, r) for r in own_train]
    dev_docs = [record_to_doc(nlp, r) for r in own_held] or own_docs[:20] or train_docs[:20]

    with tempfile.TemporaryDirectory(prefix="fsfdocs-ner-") as tmp:
        work = Path(tmp)
        DocBin(docs=train_docs + own_docs * own_weight).to_disk(work / "train.spacy")
        DocBin(docs=dev_docs).to_disk(work / "dev.spacy")
        overrides: dict[str, object] = {
            "paths.train": str(work / "train.spacy"),
            "paths.dev": str(work / "dev.spacy"),
            "system.seed": seed,
        }
        if max_steps is not None:
            overrides["training.max_steps"] = max_steps
            overrides["training.eval_frequency"] = max(1, max_steps)
        spacy_train(CONFIG_PATH, work / "out", use_gpu=-1, overrides=overrides)
        trained = spacy.load(work / "out" / "model-last")

    add_ruler(trained)
    trained.meta.update({
        "name": MODEL_NAME,
        "version": MODEL_VERSION,
        "description": "fsfdocs Swedish NER: entity ruler + statistical ner "
                       "(ORG, PERSON, PLACE, MALGRUPP)",
        "sources": [{"name": CORPUS_CREDIT, "license": "CC BY 4.0"}],
        "license": "CC BY 4.0",
    })
    trained.meta.pop("performance", None)  # the scores live in scores.json
    if output_dir.exists():
        shutil.rmtree(output_dir)
    trained.to_disk(output_dir)
    (output_dir / "README.md").write_text(MODEL_CARD, encoding="utf-8")

    reports = []
    if evaluate:
        reports = evaluate_pipeline(trained, corpus_dir / "test_corpus.txt", annotations_dir,
                                    test_limit=test_limit)
        (output_dir / "scores.json").write_text(
            json.dumps([asdict(r) for r in reports], indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8")
    return reports
