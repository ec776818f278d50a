"""``fsfdocs eval``: precision / recall / F1 per extractor and document against the gold."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from fsfdocs.settings import DEFAULT_INTERIM, DEFAULT_RAW


def evaluate(
    raw: Path = typer.Option(DEFAULT_RAW, "--raw", help="Folder of PDFs that have gold."),
    interim: Path = typer.Option(DEFAULT_INTERIM, "--interim", help="Parse cache folder."),
) -> None:
    """Run the pipeline on the PDFs and score it against tests/gold; exit 1 if a goal is missed."""
    from extractors.evaluate import Scores
    from fsfdocs.evaluation import evaluate_folder

    report = evaluate_folder(raw, interim)
    if not report.per_doc:
        Console(stderr=True).print(f"[red]error:[/] no PDF in {raw} has gold in tests/gold")
        raise typer.Exit(2)
    table = Table(title=f"Evaluation of {raw}")
    for col in ("document", "extractor", "P", "R", "F1", "tp", "fp", "fn"):
        table.add_column(col, justify="left" if col in ("document", "extractor") else "right")

    def add(doc: str, name: str, s: Scores) -> None:
        table.add_row(doc, name, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}",
                      str(s.tp), str(s.fp), str(s.fn))

    for doc, scores in report.per_doc.items():
        for name, s in scores.items():
            add(doc, name, s)
        table.add_section()
    for name, s in report.totals().items():
        add("[bold]all documents[/]", name, s)
    console = Console()
    console.print(table)
    misses = report.misses()
    for line in misses:
        console.print(f"[red]goal missed[/] {line}")
    if not misses:
        console.print("[green]every goal met[/]")
    raise typer.Exit(1 if misses else 0)


def register(app: typer.Typer) -> None:
    """Add ``eval`` to the CLI."""
    app.command("eval")(evaluate)
