"""The command socket of ``fsfdocs serve``: run ``ingest`` and ``reextract`` for the CLI, warm.

``fsfdocs serve`` already holds what a command otherwise starts from nothing: Prefect imported, a
Prefect API, the flows' code. :class:`CommandService` listens on ``$PREFECT_HOME/fsfdocs.sock``
and runs the requests of :func:`fsfdocs.service.call_service` as flow runs of this process, one
at a time, keeping the document worker processes warm between them (ADR 0010).

A request is refused, and the CLI runs it itself, when the client's code or rule folder is not
the one this service runs with (see :func:`fsfdocs.service.request_context`).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import socketserver
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from fsfdocs.isolation import Limits, close_shared_runners
from fsfdocs.service import CALLER_ERRORS, request_context, send_message, socket_path
from fsfdocs.storage import count_files

log = logging.getLogger(__name__)

#: How the refusal names each part of :func:`fsfdocs.service.request_context` that differs.
CONTEXT_NAMES = {"code": "version of the code", "rules_dir": "rule folder"}


class CommandServiceError(RuntimeError):
    """The command socket could not be opened."""


def run_command(command: str, params: dict[str, Any],
                send: Any = lambda message: None) -> dict[str, Any]:
    """Run one request in this process and return its report; ``send`` gets progress events."""
    if command == "ingest":
        from flows.ingest import run_ingest

        send({"event": "progress", "total": count_files(params.get("raw_dir", "data/raw"),
                                                        ".pdf")})
        summary = run_ingest(
            progress=lambda name, outcome: send(
                {"event": "progress", "name": name, "outcome": outcome}),
            keep_workers=True, **params,
        )
        return summary.report()
    if command == "reextract":
        from flows.reextract import run_reextract

        if params.get("since"):
            params = {**params, "since": datetime.fromisoformat(params["since"])}
        return run_reextract(keep_workers=True, **params).report()
    raise ValueError(f"unknown command {command!r}")


def service_settings(api_url: str | None) -> tuple[Any, Any]:
    """The Prefect profile and settings of the service's flow runs: the current ones, with
    ``api_url`` as the API (see :func:`flows.temporary_api.flow_run_settings`)."""
    from prefect.context import get_settings_context

    from flows.temporary_api import flow_run_settings

    context = get_settings_context()
    updates = flow_run_settings(context.settings, api_url)
    return context.profile, context.settings.copy_with_update(updates=updates)


class CommandService:
    """Listen for CLI requests on the Prefect home's socket; use as a context manager.

    ``api_url`` is the Prefect API the flow runs use (``None``: the one Prefect's settings name,
    else this process's temporary server).
    """

    def __init__(self, api_url: str | None = None, home: str | Path | None = None) -> None:
        self.api_url = api_url
        self.path = socket_path(home)
        self.context = request_context()  # the code and rules this service runs with
        self._lock = threading.Lock()  # one command at a time; the store's lock is per run
        self._server: socketserver.ThreadingUnixStreamServer | None = None
        self._settings: tuple[Any, Any] = (None, None)  # set by start()
        self._thread: threading.Thread | None = None

    def start(self) -> CommandService:
        """Bind the socket (replacing one a killed service left) and serve in a thread.

        Raises :class:`CommandServiceError` when another service already answers on this
        Prefect home's socket.
        """
        if self.path.exists():
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                probe.connect(str(self.path))
            except OSError:
                self.path.unlink()  # left behind by a service that was killed
            else:
                raise CommandServiceError(
                    f"another fsfdocs service is listening at {self.path}: stop it first")
            finally:
                probe.close()
        if self.api_url is None and not os.environ.get("PREFECT_API_URL"):
            # Launched from here, not from a request's thread: the temporary server is stopped
            # when the thread that started it ends (see fsfdocs.prefect_server).
            from flows.temporary_api import launch_temporary_server

            server = launch_temporary_server()
            if server is not None:
                self.api_url = server.wait_ready().api_url
        self._settings = service_settings(self.api_url)
        # The first command should find what later ones find: the flows' code imported and the
        # worker processes of the default command line (local runner, one per core) started,
        # those that parse and those that re-extract from the caches.
        import flows.ingest
        import flows.reextract  # noqa: F401
        from flows.runners import make_task_runner

        make_task_runner().prestart_pool(Limits(), extraction=True)
        service = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                service.handle(self.rfile, self.wfile)

        old_umask = os.umask(0o177)  # the socket is its user's alone
        try:
            self._server = socketserver.ThreadingUnixStreamServer(str(self.path), Handler)
        finally:
            os.umask(old_umask)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="fsfdocs-command-service", daemon=True)
        self._thread.start()
        return self

    def handle(self, rfile: Any, wfile: Any) -> None:
        """Answer one request read from ``rfile``; a client gone mid-run does not stop it."""
        def send(message: dict[str, Any]) -> None:
            try:
                send_message(wfile, message)
            except OSError:
                pass  # the client went away; the command still runs to its end

        try:
            request = json.loads(rfile.readline() or b"null")
            command, params = request["command"], dict(request["params"])
            context = request["context"]
        except (ValueError, TypeError, KeyError):
            send({"event": "error", "kind": "ValueError", "message": "malformed request"})
            return
        if context != self.context:
            differs = " and ".join(CONTEXT_NAMES[k] for k, v in sorted(self.context.items())
                                   if context.get(k) != v)
            send({"event": "refused", "message": f"the running fsfdocs service uses another "
                  f"{differs} (restart `fsfdocs serve` to have it run this one)"})
            return
        with self._lock:
            try:
                report = self._run(command, params, send)
            except Exception as exc:  # noqa: BLE001 - reported to the client, service stays up
                if not isinstance(exc, CALLER_ERRORS):
                    log.exception("fsfdocs service: %s failed", command)
                message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
                send({"event": "error", "kind": type(exc).__name__, "message": str(message)})
                return
        send({"event": "result", "report": report, "pid": os.getpid()})

    def _run(self, command: str, params: dict[str, Any], send: Any) -> dict[str, Any]:
        from prefect.context import SettingsContext

        # This thread does not see the settings context of the thread that started serving:
        # enter the one made at start (a copy per request would cost 30 ms).
        profile, settings = self._settings
        with SettingsContext(profile=profile, settings=settings):
            return run_command(command, params, send)

    def stop(self) -> None:
        """Stop listening, remove the socket and the warm worker processes."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self.path.exists():
            self.path.unlink()
        with self._lock:
            close_shared_runners()

    def __enter__(self) -> CommandService:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
