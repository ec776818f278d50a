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

:func:`flow_run_settings` holds the Prefect settings fsfdocs changes for its flow runs, whichever
API they use.
"""

from __future__ import annotations

import atexit
import os
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
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


def plain_http_ca_file() -> str:
    """A CA file of one certificate, for Prefect clients whose API is plain ``http://``.

    Prefect builds a new API client, with a new SSL context loaded from a CA bundle of about 150
    certificates (``SSL_CERT_FILE`` or certifi's), for every flow run, and for every task run in
    a Dask worker: 18 ms of CPU a flow run, 25-60 ms a Dask task (py-spy, 2-core machine). An
    ``http://`` API never makes a TLS handshake, so which certificates that context trusts cannot
    matter; loading one takes under 1 ms. The file holds the first certificate of certifi's bundle.
    """
    import certifi

    target = Path(os.environ.get("PREFECT_HOME", tempfile.gettempdir())) / "plain-http-ca.pem"
    if not target.is_file():
        bundle = Path(certifi.where()).read_text(encoding="ascii")
        end = "-----END CERTIFICATE-----\n"
        first = bundle[bundle.index("-----BEGIN CERTIFICATE-----"):bundle.index(end) + len(end)]
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        tmp.write_text(first, encoding="ascii")
        tmp.replace(target)
    return str(target)


def flow_run_settings(settings: Any, api_url: str | None = None) -> dict[Any, Any]:
    """The changes to Prefect's ``settings`` under which fsfdocs runs its flows (only those that
    differ), with ``api_url`` as the API when given.

    - No heartbeats: the command that runs a flow reports its end itself, and Prefect's heartbeat
      thread sleeps in 1 s steps, so joining it at the end of every flow run cost 0.5 s on
      average (up to 1 s) for nothing.
    - For a plain ``http://`` API, a one-certificate CA file (:func:`plain_http_ca_file`).
    """
    from prefect.settings import (
        PREFECT_API_SSL_CERT_FILE,
        PREFECT_API_URL,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
    )

    updates: dict[Any, Any] = {}
    if settings.flows.heartbeat_frequency is not None:
        updates[PREFECT_FLOWS_HEARTBEAT_FREQUENCY] = None
    if api_url is not None and api_url != settings.api.url:
        updates[PREFECT_API_URL] = api_url
    url = api_url or settings.api.url
    if url and str(url).startswith("http://"):
        ca_file = plain_http_ca_file()
        if settings.api.ssl_cert_file != ca_file:
            updates[PREFECT_API_SSL_CERT_FILE] = ca_file
    return updates


@contextmanager
def flow_api(while_starting: Callable[[], None] | None = None) -> Iterator[str | None]:
    """Make sure flow runs inside the block have a Prefect API; yield its URL.

    With ``PREFECT_API_URL`` set that API is used as it is (``None`` is yielded). Otherwise the
    temporary server is launched if it is not up yet, ``while_starting`` runs while it starts,
    and the block runs with ``PREFECT_API_URL`` pointing at it once it answers.

    Flow runs inside the block run with :func:`flow_run_settings`.
    """
    from prefect.settings import get_current_settings, temporary_settings

    server = launch_temporary_server()
    if server is not None:
        if while_starting is not None and not server.ready:
            while_starting()
        server.wait_ready()
    updates = flow_run_settings(get_current_settings(), server and server.api_url)
    # Copying Prefect's settings costs 30 ms: not when a caller (the command service) has
    # already entered settings that need no change.
    with temporary_settings(updates=updates) if updates else nullcontext():
        yield None if server is None else server.api_url
