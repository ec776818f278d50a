"""The Prefect API of a flow run when none is configured: a temporary local server, started early.

Without ``PREFECT_API_URL`` Prefect starts a temporary server the moment a flow first needs its
API and waits for it. On a 2-core machine that costs about 8 s, half of it importing the whole
server code into the flow's own process just to launch the child. fsfdocs launches the same
server itself (:class:`fsfdocs.prefect_server.LocalPrefectServer` with ``temporary=True``: the
child process Prefect would start) without importing that code, and lets the caller do work it
needs anyway (spawning and warming the document worker processes) while the server starts.

One server per process, reused by every later flow run of the process (as Prefect does) and
stopped when the process exits, after Prefect's queued events and logs have been sent. The
commands that run a flow launch it first thing (:func:`prelaunch_temporary_server`), before
Prefect itself is imported, so that import (about 1.6 s) also overlaps the server's start.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from fsfdocs.prefect_server import LocalPrefectServer

_SERVER: LocalPrefectServer | None = None
_LOCK = threading.Lock()


def drain_prefect_services(timeout_s: float = 10.0) -> None:
    """Send Prefect's queued events and logs while the server is still up.

    Otherwise their workers flush at interpreter exit, find the server gone and retry for ever.
    """
    if "prefect" not in sys.modules:  # launched early, but no flow ran: nothing is queued
        return
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for service in (EventsWorker, APILogWorker):
        try:
            service.drain_all(timeout=timeout_s)
        except Exception:  # noqa: BLE001 - best effort on the way out
            pass


def _stop_at_exit(server: LocalPrefectServer) -> None:
    drain_prefect_services()
    server.stop()


def _launch() -> LocalPrefectServer:
    global _SERVER
    with _LOCK:
        if _SERVER is None or not _SERVER.running:
            _SERVER = LocalPrefectServer(temporary=True).launch()
            atexit.register(_stop_at_exit, _SERVER)
        return _SERVER


def prelaunch_temporary_server() -> None:
    """Launch the temporary server now, before Prefect is imported, unless the environment names
    an API. Prefect may still find one in its profile: :func:`launch_temporary_server` then stops
    this server again, so the guess costs nothing but some CPU."""
    if not os.environ.get("PREFECT_API_URL"):
        _launch()


def launch_temporary_server() -> LocalPrefectServer | None:
    """This process's temporary server, launched now if needed; ``None`` when an API is set."""
    from prefect.settings import PREFECT_API_URL

    global _SERVER
    configured = PREFECT_API_URL.value()
    if configured:
        with _LOCK:
            if _SERVER is not None and configured != _SERVER.api_url:
                _SERVER.stop()  # launched early, before Prefect's profile could be read
                _SERVER = None
        return None
    return _launch()


@contextmanager
def flow_api(while_starting: Callable[[], None] | None = None) -> Iterator[str | None]:
    """Make sure flow runs inside the block have a Prefect API; yield its URL.

    With ``PREFECT_API_URL`` set that API is used as it is (``None`` is yielded). Otherwise the
    temporary server is launched if it is not up yet, ``while_starting`` runs while it starts,
    and the block runs with ``PREFECT_API_URL`` pointing at it once it answers.

    Flow runs inside the block send no heartbeats: the command that runs them reports their end
    itself, and Prefect's heartbeat thread sleeps in 1 s steps, so joining it at the end of every
    flow run cost 0.5 s on average (up to 1 s) for nothing.
    """
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        get_current_settings,
        temporary_settings,
    )

    updates: dict[Any, Any] = {}
    if get_current_settings().flows.heartbeat_frequency is not None:
        updates[PREFECT_FLOWS_HEARTBEAT_FREQUENCY] = None
    server = launch_temporary_server()
    if server is not None:
        if while_starting is not None and not server.ready:
            while_starting()
        server.wait_ready()
        updates[PREFECT_API_URL] = server.api_url
    # Copying Prefect's settings costs 30 ms: not when a caller (the command service) has
    # already entered settings that need no change.
    with temporary_settings(updates=updates) if updates else nullcontext():
        yield None if server is None else server.api_url
