"""``fsfdocs ingest``: run the ingest flow with a progress bar and a summary table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from fsfdocs.service import HERE_HELP, run_in_service
from fsfdocs.settings import DEFAULT_CURATED, DEFAULT_INTERIM, DEFAULT_RAW
from fsfdocs.storage import absolute, count_files

#: How the location options read in ``--help``.
LOCATION = " (a folder or s3://bucket/prefix)"


def print_summary(console: Console, report: dict[str, Any]) -> None:
    """The end-of-run table (documents new / skipped / failed, pages, OCR pages, seconds) of an
    ingest report (:meth:`flows.ingest.IngestSummary.report`)."""
    table = Table(title=f"Ingest run {report['run_id']}", show_header=True)
    for col in ("new", "skipped", "failed", "pages", "OCR pages", "seconds"):
        table.add_column(col, justify="right")
    table.add_row(
        str(len(report["new"])), str(len(report["skipped"])), str(len(report["failed"])),
        str(report["pages"]), str(report["ocr_pages"]), f"{report['seconds']:.1f}",
    )
    console.print(table)
    if report["waiting"]:
        console.print(f"[yellow]Left for a later run (still being written):[/] "
                      f"{', '.join(report['waiting'])}")
    print_failures(console, report["failed"])


def print_failures(console: Console, failed: list[dict[str, Any]]) -> None:
    """One line per document that failed: path, stage, error type and message."""
    for f in failed:
        console.print(f"[red]FAILED[/] {f['source_path']} [{f['stage']}] "
                      f"{f['error_type']}: {f['message']}")


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
    here: bool = typer.Option(False, "--here", help=HERE_HELP),
) -> None:
    """Ingest new PDFs from the raw folder into the curated store (idempotent)."""
    params = {
        "raw_dir": absolute(raw), "curated_dir": absolute(curated),
        "interim_dir": absolute(interim), "workers": workers, "runner": runner,
        "dask_address": dask_address, "timeout_s": timeout, "memory_mb": memory_mb,
        "settle_s": settle,
    }
    console = Console(stderr=True)
    with Progress(
        TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.description}"), TimeElapsedColumn(),
        console=console, transient=True,
    ) as bar:
        task_id = bar.add_task("", total=None)

        def on_progress(name: str, outcome: str) -> None:
            bar.update(task_id, advance=1, description=f"{outcome}: {name}")

        def on_event(event: dict[str, Any]) -> None:
            if "total" in event:
                bar.update(task_id, total=event["total"])
            else:
                on_progress(event["name"], event["outcome"])

        try:
            report = None if here else run_in_service(
                "ingest", params, on_event, lambda text: console.print(f"[dim]{text}[/]"))
            if report is None:
                report = _ingest_here(params, on_progress, lambda n: bar.update(task_id, total=n))
        except (FileNotFoundError, TimeoutError) as exc:
            console.print(f"[red]error:[/] {exc}")
            raise typer.Exit(2) from None
    print_summary(Console(), report)
    raise typer.Exit(0 if report["ok"] else 1)


def _ingest_here(params: dict[str, Any], progress: Callable[[str, str], None],
                 set_total: Callable[[int], None]) -> dict[str, Any]:
    from flows.temporary_api import prelaunch_temporary_server

    prelaunch_temporary_server()  # starts while the flow's code is imported
    from flows.ingest import run_ingest

    set_total(count_files(params["raw_dir"], ".pdf"))
    return run_ingest(progress=progress, **params).report()


def register(app: typer.Typer) -> None:
    """Add ``ingest`` to the CLI."""
    app.command("ingest")(ingest)
