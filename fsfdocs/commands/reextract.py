"""``fsfdocs reextract`` and ``fsfdocs history``: re-run extraction, see what changed and when."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from fsfdocs.commands.ingest import print_failures
from fsfdocs.service import HERE_HELP, run_in_service
from fsfdocs.settings import DEFAULT_CURATED, DEFAULT_INTERIM
from fsfdocs.storage import absolute


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
    here: bool = typer.Option(False, "--here", help=HERE_HELP),
) -> None:
    """Re-run the extractors from the parse cache where the rules changed; print the diff."""
    params = {
        "curated_dir": absolute(curated), "interim_dir": absolute(interim),
        "doc_ids": doc or None, "since": _parse_since(since), "all_docs": all_docs,
        "dry_run": dry_run, "workers": workers, "runner": runner, "dask_address": dask_address,
    }
    err = Console(stderr=True)
    try:
        report = None if here else run_in_service(
            "reextract", {**params, "since": since and params["since"].isoformat()}, None,
            lambda text: err.print(f"[dim]{text}[/]"))
        if report is None:
            from flows.temporary_api import prelaunch_temporary_server

            prelaunch_temporary_server()  # starts while the flow's code is imported
            from flows.reextract import run_reextract

            report = run_reextract(**params).report()
    except (KeyError, TimeoutError) as exc:
        err.print(f"[red]error:[/] {exc.args[0] if exc.args else exc}")
        raise typer.Exit(2) from None
    print_report(Console(), report)
    raise typer.Exit(0 if report["ok"] else 1)


def print_report(console: Console, report: dict[str, Any]) -> None:
    """What a re-extraction did (:meth:`flows.reextract.ReextractSummary.report`): documents,
    the diff per table, repaired cache entries and failures."""
    head = "dry run: would change" if report["dry_run"] else "changed"
    console.print(f"rules {report['rules_version']}: {len(report['selected'])} documents "
                  f"re-extracted, {head} {len(report['changed_docs'])} "
                  f"({report['seconds']:.1f} s, run {report['run_id']})")
    for table, line in report["diff_lines"].items():
        console.print(f"  {table}: {line}")
    if not report["diff_lines"]:
        console.print("  no records changed")
    for doc_id in report["repaired_cache"]:
        console.print(f"[yellow]parse cache repaired[/] for {doc_id[:12]} "
                      "(entry missing or corrupt)")
    print_failures(console, report["failed"])


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
