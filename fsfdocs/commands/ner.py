"""``fsfdocs train-ner`` and ``fsfdocs eval-ner``: train / evaluate the Swedish NER pipeline."""

from __future__ import annotations

from pathlib import Path

import typer


def train_ner_command(
    output: Path = typer.Option(None, "--output", help="Model folder (default models/ner_sv)."),
    corpus: Path = typer.Option(
        None, "--corpus", help="Webbnyheter 2012 folder (default ../shared/ner/webbnyheter2012)."
    ),
    annotations: Path = typer.Option(None, "--annotations", help="Own annotations folder."),
    max_steps: int = typer.Option(None, "--max-steps", help="Override training.max_steps."),
    seed: int = typer.Option(42, "--seed", help="Random seed."),
    train_limit: int = typer.Option(None, "--train-limit", help="Use only N news sentences."),
    test_limit: int = typer.Option(None, "--test-limit", help="Evaluate on N test sentences."),
) -> None:
    """Train the NER pipeline reproducibly (one CPU thread, fixed seed) and print P/R/F1."""
    from fsfdocs.ner.evaluate import format_reports
    from fsfdocs.ner.paths import ANNOTATIONS_DIR
    from fsfdocs.ner.train import train_ner

    reports = train_ner(
        output_dir=output, corpus_dir=corpus, annotations_dir=annotations or ANNOTATIONS_DIR,
        max_steps=max_steps, seed=seed, train_limit=train_limit, test_limit=test_limit,
    )
    typer.echo(format_reports(reports))


def eval_ner_command(
    model: Path = typer.Option(None, "--model", help="Model folder (default models/ner_sv)."),
    corpus: Path = typer.Option(None, "--corpus", help="Webbnyheter 2012 folder."),
    annotations: Path = typer.Option(None, "--annotations", help="Own annotations folder."),
) -> None:
    """Print per-label P/R/F1 of a trained pipeline (news test file, own held-out sentences)."""
    from fsfdocs.ner.train import limit_threads

    limit_threads()
    from fsfdocs.ner.evaluate import evaluate_pipeline, format_reports
    from fsfdocs.ner.paths import ANNOTATIONS_DIR, webbnyheter_dir
    from fsfdocs.ner.pipeline import load_pipeline

    nlp = load_pipeline(model)
    corpus_dir = corpus or webbnyheter_dir()
    reports = evaluate_pipeline(nlp, corpus_dir / "test_corpus.txt", annotations or ANNOTATIONS_DIR)
    typer.echo(format_reports(reports))


def register(app: typer.Typer) -> None:
    """Add the NER commands to the ``fsfdocs`` app."""
    app.command("train-ner")(train_ner_command)
    app.command("eval-ner")(eval_ner_command)
