"""``fsfdocs serve``: ingest the raw folder on a schedule (or once) with Prefect."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer
from rich.console import Console

from fsfdocs.settings import DEFAULT_CURATED, DEFAULT_INTERIM, DEFAULT_RAW
from fsfdocs.storage import absolute, is_url


def serve(
    cron: str | None = typer.Option(
        None, "--cron", help='Cron schedule, e.g. "0 6 * * 1-5" (06:00 on weekdays).'
    ),
    interval: str | None = typer.Option(
        None, "--interval", help="Interval schedule, e.g. 15m, 30s, 2h, 1d."
    ),
    once: bool = typer.Option(
        False, "--once", help="Run one pass now and exit (for cron or a systemd timer)."
    ),
    raw: str = typer.Option(str(DEFAULT_RAW), "--raw",
                            help="PDFs to watch (a folder or s3://bucket/prefix)."),
    curated: str = typer.Option(str(DEFAULT_CURATED), "--curated",
                                help="Curated Parquet store (a folder or s3://bucket/prefix)."),
    interim: str = typer.Option(str(DEFAULT_INTERIM), "--interim",
                                help="Parse cache (a folder or s3://bucket/prefix)."),
    runner: str = typer.Option(
        "local", "--runner", help="Where documents are processed: local, processes or dask."
    ),
    dask_address: str | None = typer.Option(
        None, "--dask-address", help="Use the existing Dask cluster at tcp://host:port."
    ),
    workers: int = typer.Option(0, help="Documents processed at once (0: one per CPU core)."),
    settle: float = typer.Option(
        30.0, help="Leave files modified less than this many seconds ago for the next pass."
    ),
    timeout: float = typer.Option(300.0, help="Per-document time limit in seconds."),
    memory_mb: int = typer.Option(4096, help="Per-document memory limit in MiB."),
    name: str = typer.Option("scheduled-ingest", help="Deployment name shown in the Prefect UI."),
) -> None:
    """Serve the ingest flow on a schedule; Ctrl-C or SIGTERM stops it (and its local server).

    Without PREFECT_API_URL a local Prefect server is started on 127.0.0.1 (database in
    $PREFECT_HOME) for as long as `serve` runs; its UI shows the runs and the schedule. While it
    serves, `fsfdocs ingest` and `fsfdocs reextract` are run by this process, warm.
    """
    from flows.runners import RUNNER_KINDS
    from flows.serve import parse_interval, prefect_api, run_once, serve_ingest

    console = Console(stderr=True)
    if runner not in RUNNER_KINDS:
        console.print(f"[red]error:[/] --runner must be one of {', '.join(RUNNER_KINDS)}")
        raise typer.Exit(2)
    chosen = [flag for flag, value in (("--cron", cron), ("--interval", interval),
                                       ("--once", once)) if value]
    if len(chosen) != 1:
        console.print("[red]error:[/] give exactly one of --cron, --interval or --once")
        raise typer.Exit(2)
    if not is_url(raw) and not Path(raw).is_dir():
        console.print(f"[red]error:[/] {raw}: the raw folder does not exist")
        raise typer.Exit(2)
    params = {
        "raw_dir": absolute(raw), "curated_dir": absolute(curated),
        "interim_dir": absolute(interim), "runner": runner, "dask_address": dask_address,
        "workers": workers, "settle_s": settle, "timeout_s": timeout, "memory_mb": memory_mb,
    }
    if once:
        state = run_once(**params)
        console.print(f"{'[green]' if state.is_completed() else '[red]'}{state.name}[/] "
                      f"{state.message or ''}")
        raise typer.Exit(0 if state.is_completed() else 1)

    try:
        schedule = {"cron": cron} if cron else {"interval": parse_interval(interval or "")}
    except ValueError as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None

    from flows.command_service import CommandService, CommandServiceError
    from fsfdocs.prefect_server import PrefectServerError

    try:
        with prefect_api(on_start=lambda ui: console.print(
                f"Started a local Prefect server; UI at [bold]{ui}[/]")) as api_url, \
                CommandService(api_url) as commands:
            console.print(f"Prefect API: {api_url}")
            console.print(f"`fsfdocs ingest` and `fsfdocs reextract` run here while this "
                          f"serves (socket {commands.path})")
            serve_ingest(params, name=name, on_ready=lambda dep: console.print(
                f"Serving deployment [bold]{dep}[/] "
                f"({'cron ' + cron if cron else 'every ' + str(interval)}) on {raw}; "
                "Ctrl-C to stop."), **schedule)
    except (PrefectServerError, CommandServiceError) as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    console.print("Stopped.")
    # The local server is gone; Prefect's background services (event and log workers, run
    # observers) would keep retrying it from non-daemon threads at interpreter exit. Everything
    # is written and flushed by now, so leave at once.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the CLI."""
    app.command("serve")(serve)
