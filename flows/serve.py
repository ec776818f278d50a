"""Scheduled ingestion: serve the ingest flow on a cron or interval schedule with Prefect.

``scheduled_ingest`` is the flow that is served: one pass over the raw folder (new or changed
PDFs in, files still being copied left for the next pass). :func:`serve_ingest` registers it as a
deployment with a schedule and polls for its runs until stopped; :func:`prefect_api` provides the
Prefect server that schedules need (the one at ``PREFECT_API_URL``, or a local one it starts and
stops).
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from prefect import flow, get_run_logger
from prefect.states import Completed, Failed, State

from fsfdocs.isolation import Limits

#: Files modified less than this many seconds ago are left for the next scheduled pass.
DEFAULT_SETTLE_S = 30.0
DEPLOYMENT_NAME = "scheduled-ingest"

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


def parse_interval(text: str) -> timedelta:
    """``"15m"``, ``"30s"``, ``"2h"``, ``"1d"`` or plain seconds (``"90"``) as a timedelta."""
    match = _INTERVAL.match(text)
    if not match:
        raise ValueError(f"bad interval {text!r}: use e.g. 30s, 15m, 2h, 1d")
    seconds = float(match.group(1)) * _UNIT_SECONDS[(match.group(2) or "s").lower()]
    if seconds <= 0:
        raise ValueError(f"bad interval {text!r}: must be positive")
    return timedelta(seconds=seconds)


@flow(name="fsfdocs-scheduled-ingest", log_prints=False)
def scheduled_ingest(
    raw_dir: str = "data/raw",
    curated_dir: str = "data/curated",
    interim_dir: str = "data/interim",
    runner: str = "local",
    dask_address: str | None = None,
    workers: int = 0,
    settle_s: float = DEFAULT_SETTLE_S,
    timeout_s: float = Limits.timeout_s,
    memory_mb: int = Limits.memory_mb,
) -> State:
    """One scheduled pass: ingest what is new or changed in ``raw_dir``.

    The run ends Failed when a document failed (its ``errors`` row is written either way), so
    the Prefect UI and ``serve --once``'s exit status show it.
    """
    from flows.ingest import run_ingest

    logger = get_run_logger()
    summary = run_ingest(
        runner=runner, dask_address=dask_address, raw_dir=raw_dir, curated_dir=curated_dir,
        interim_dir=interim_dir, workers=workers, settle_s=settle_s, timeout_s=timeout_s,
        memory_mb=memory_mb,
    )
    message = (f"run {summary.run_id}: {len(summary.new)} new, {len(summary.skipped)} skipped, "
               f"{len(summary.failed)} failed, {len(summary.waiting)} waiting, "
               f"{summary.pages} pages in {summary.seconds:.1f} s")
    logger.info(message)
    if summary.waiting:
        logger.info("still being written, left for the next pass: %s", ", ".join(summary.waiting))
    result = {"run_id": summary.run_id, "new": summary.new, "skipped": len(summary.skipped),
              "failed": [f.source_path for f in summary.failed], "waiting": summary.waiting}
    if summary.failed:
        return Failed(message=message, data=result)
    return Completed(message=message, data=result)


def run_once(**params: Any) -> State:
    """Run one pass of :func:`scheduled_ingest` now (``serve --once``) and return its state."""
    return scheduled_ingest(**params, return_state=True)


@contextmanager
def prefect_api(on_start: Callable[[str], None] | None = None) -> Iterator[str]:
    """The Prefect API to schedule with: ``PREFECT_API_URL`` if set, else a local server.

    A local server (:class:`fsfdocs.prefect_server.LocalPrefectServer`) is started for the
    duration of the block and stopped on exit, including on SIGINT/SIGTERM (the runner turns
    SIGTERM into ``SystemExit``). ``on_start`` is called with the UI address of a started server.
    """
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.temporary_api import drain_prefect_services
    from fsfdocs.prefect_server import LocalPrefectServer

    configured = os.environ.get("PREFECT_API_URL") or PREFECT_API_URL.value()
    if configured:
        yield configured
        return
    server = LocalPrefectServer()
    previous_sigterm = _raise_on_sigterm()
    try:
        server.start()
        if on_start:
            on_start(server.ui_url)
        os.environ["PREFECT_API_URL"] = server.api_url  # for every process started from here
        try:
            with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
                yield server.api_url
        finally:
            os.environ.pop("PREFECT_API_URL", None)
    finally:
        drain_prefect_services()
        server.stop()
        _restore_sigterm(previous_sigterm)


def _raise_on_sigterm() -> Any:
    """Until the runner installs its own handler, make SIGTERM unwind like Ctrl-C does."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def _exit(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    return signal.signal(signal.SIGTERM, _exit)


def _restore_sigterm(previous: Any) -> None:
    import signal
    import threading

    if previous is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, previous)


def serve_ingest(
    params: dict[str, Any], *, cron: str | None = None, interval: timedelta | None = None,
    name: str = DEPLOYMENT_NAME, on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve :func:`scheduled_ingest` with ``params`` on a cron or interval schedule until stopped.

    Registers (or updates) the deployment ``fsfdocs-scheduled-ingest/<name>`` and runs its
    scheduled runs one at a time in subprocesses of this process. Returns on SIGINT/SIGTERM,
    after pausing the schedule. Needs a Prefect API (see :func:`prefect_api`).
    """
    from prefect.runner import Runner

    if (cron is None) == (interval is None):
        raise ValueError("give exactly one of cron and interval")
    class _Runner(Runner):
        def handle_sigterm(self, *args: Any) -> None:
            # Prefect's handler calls a coroutine from inside the loop and exits abruptly;
            # unwinding like Ctrl-C lets the runner pause its schedule and stop cleanly.
            raise KeyboardInterrupt

    runner = _Runner(name=f"fsfdocs-{name}", pause_on_shutdown=True, limit=1)
    runner.add_flow(
        scheduled_ingest, name=name, cron=cron, interval=interval, parameters=params,
        description="Ingest new and changed PDFs from the raw folder (fsfdocs serve).",
        tags=["fsfdocs"],
    )
    if on_ready:
        on_ready(f"fsfdocs-scheduled-ingest/{name}")
    try:
        asyncio.run(runner.start())
    except KeyboardInterrupt:
        pass
