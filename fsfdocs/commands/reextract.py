"""``fsfdocs reextract`` and ``fsfdocs history``: re-run extraction, see what changed and when."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.table import Table

from fsfdocs.settings import DEFAULT_CURATED, DEFAULT_INTERIM


def _parse_since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD[THH:MM])") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def reextract(
    doc: list[str] = typer.Option(None, "--doc", help="Document id (or unique prefix); repeat."),
    since: str = typer.Option(None, help="Only documents ingested since this date."),
    all_docs: bool = typer.Option(False, "--all", help="Re-extract even up-to-date documents."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Compute and print the diff only."),
    curated: str = typer.Option(str(DEFAULT_CURATED), "--curated",
                                help="Curated store (a folder or s3://bucket/prefix)."),
    interim: str = typer.Option(str(DEFAULT_INTERIM), "--interim",
                                help="Parse cache (a folder or s3://bucket/prefix)."),
    workers: int = typer.Option(0, help="Documents processed at once (0: one per CPU core)."),
    runner: str = typer.Option("local", help="Where documents run: local|processes|dask."),
    dask_address: str = typer.Option(None, help="tcp://host:port of an existing Dask cluster."),
) -> None:
    """Re-run the extractors from the parse cache where the rules changed; print the diff."""
    from flows.temporary_api import prelaunch_temporary_server

    prelaunch_temporary_server()  # starts while the flow's code is imported
    from flows.reextract import run_reextract

    console = Console()
    try:
        s = run_reextract(
            curated_dir=str(curated), interim_dir=str(interim), doc_ids=doc or None,
            since=_parse_since(since), all_docs=all_docs, dry_run=dry_run, workers=workers,
            runner=runner, dask_address=dask_address,
        )
    except (KeyError, TimeoutError) as exc:
        Console(stderr=True).print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    head = "dry run: would change" if s.dry_run else "changed"
    console.print(f"rules {s.rules_version}: {len(s.selected)} documents re-extracted, "
                  f"{head} {len(s.changed_docs)} ({s.seconds:.1f} s, run {s.run_id})")
    lines = s.diff_lines()
    for table, line in lines.items():
        console.print(f"  {table}: {line}")
    if not lines:
        console.print("  no records changed")
    for doc_id in s.repaired_cache:
        console.print(f"[yellow]parse cache repaired[/] for {doc_id[:12]} "
                      "(entry missing or corrupt)")
    for f in s.failed:
        console.print(f"[red]FAILED[/] {f.source_path} [{f.stage}] {f.error_type}: {f.message}")
    raise typer.Exit(0 if s.ok else 1)


def history(
    doc: str = typer.Option(..., "--doc", help="Document id (or unique prefix)."),
    curated: str = typer.Option(str(DEFAULT_CURATED), "--curated",
                                help="Curated store (a folder or s3://bucket/prefix)."),
) -> None:
    """The runs that touched a document: ingests, re-extractions, failures, with their diffs."""
    from fsfdocs.store import Store

    rows = Store(str(curated)).document_history(doc)
    if not rows:
        Console(stderr=True).print(f"[red]error:[/] no run touched a document with id {doc!r}")
        raise typer.Exit(2)
    table = Table(title=f"History of {doc}")
    for col in rows[0]:
        table.add_column(col)
    for r in rows:
        table.add_row(*["" if v is None else str(v) for v in r.values()])
    Console().print(table)


def register(app: typer.Typer) -> None:
    """Add ``reextract`` and ``history`` to the CLI."""
    app.command("reextract")(reextract)
    app.command("history")(history)
