"""``fsfdocs ingest``: run the ingest flow with a progress bar and a summary table."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from fsfdocs.settings import DEFAULT_CURATED, DEFAULT_INTERIM, DEFAULT_RAW
from fsfdocs.storage import count_files

if TYPE_CHECKING:
    from flows.ingest import IngestSummary

#: How the location options read in ``--help``.
LOCATION = " (a folder or s3://bucket/prefix)"


def print_summary(console: Console, summary: IngestSummary) -> None:
    """The end-of-run table: documents new / skipped / failed, pages, OCR pages, seconds."""
    table = Table(title=f"Ingest run {summary.run_id}", show_header=True)
    for col in ("new", "skipped", "failed", "pages", "OCR pages", "seconds"):
        table.add_column(col, justify="right")
    table.add_row(
        str(len(summary.new)), str(len(summary.skipped)), str(len(summary.failed)),
        str(summary.pages), str(summary.ocr_pages), f"{summary.seconds:.1f}",
    )
    console.print(table)
    if summary.waiting:
        console.print(f"[yellow]Left for a later run (still being written):[/] "
                      f"{', '.join(summary.waiting)}")
    for f in summary.failed:
        console.print(f"[red]FAILED[/] {f.source_path} [{f.stage}] {f.error_type}: {f.message}")


def ingest(
    raw: str = typer.Option(str(DEFAULT_RAW), "--raw", help=f"PDFs to ingest{LOCATION}."),
    curated: str = typer.Option(str(DEFAULT_CURATED), "--curated",
                                help=f"Curated Parquet store{LOCATION}."),
    interim: str = typer.Option(str(DEFAULT_INTERIM), "--interim",
                                help=f"Parse cache{LOCATION}."),
    workers: int = typer.Option(0, help="Documents processed at once (0: one per CPU core)."),
    runner: str = typer.Option("local", help="Where documents run: local|processes|dask."),
    dask_address: str = typer.Option(None, help="tcp://host:port of an existing Dask cluster."),
    timeout: float = typer.Option(300.0, help="Per-document time limit in seconds."),
    memory_mb: int = typer.Option(4096, help="Per-document memory limit in MiB."),
    settle: float = typer.Option(
        0.0, help="Leave files modified less than this many seconds ago for a later run."
    ),
) -> None:
    """Ingest new PDFs from the raw folder into the curated store (idempotent)."""
    from flows.temporary_api import prelaunch_temporary_server

    prelaunch_temporary_server()  # starts while the flow's code is imported
    from flows.ingest import run_ingest

    console = Console(stderr=True)
    with Progress(
        TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.description}"), TimeElapsedColumn(),
        console=console, transient=True,
    ) as bar:
        total = count_files(raw, ".pdf")
        task_id = bar.add_task("", total=total)

        def on_progress(name: str, outcome: str) -> None:
            bar.update(task_id, advance=1, description=f"{outcome}: {name}")

        try:
            summary = run_ingest(
                progress=on_progress, raw_dir=str(raw), curated_dir=str(curated),
                interim_dir=str(interim), workers=workers, runner=runner,
                dask_address=dask_address, timeout_s=timeout,
                memory_mb=memory_mb, settle_s=settle,
            )
        except (FileNotFoundError, TimeoutError) as exc:
            console.print(f"[red]error:[/] {exc}")
            raise typer.Exit(2) from None
    print_summary(Console(), summary)
    raise typer.Exit(0 if summary.ok else 1)


def register(app: typer.Typer) -> None:
    """Add ``ingest`` to the CLI."""
    app.command("ingest")(ingest)
