"""Hand ``ingest`` and ``reextract`` to a running ``fsfdocs serve``: the client side and protocol.

A command run from a cold process pays a fixed start-up before any document is touched: the
interpreter, Prefect's import (about 1.5 s), a Prefect server (about 3.5 s alone on 2 cores) and
the document worker processes. ``fsfdocs serve`` has all of these up already, so while it runs
it also listens on a Unix socket in the Prefect home (``$PREFECT_HOME/fsfdocs.sock``, readable by
its user only) and runs these commands for the CLI in its warm process (see ADR 0010 and
:mod:`flows.command_service`).

One request per connection, JSON lines both ways: the client sends ``{"command", "params",
"context"}``; the service answers with ``progress`` events and ends with one ``result``,
``error`` or ``refused`` message. ``refused`` means the service cannot run this request as this
process would (it runs other code, or another rule folder): the CLI then runs it itself.

This module imports nothing heavy, so the client side costs the CLI almost nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from fsfdocs.settings import MODELS_DIR, PROJECT_ROOT, prefect_home, rules_dir

SOCKET_NAME = "fsfdocs.sock"
#: Packages whose code the service runs for a command; a change to any of them needs a restart.
CODE_PACKAGES = ("fsfdocs", "flows", "extractors", "schemas")

ProgressEvent = dict[str, Any]


class ServiceError(RuntimeError):
    """The service ran the command and it failed; ``kind`` is the exception's class name."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class ServiceUnavailable(RuntimeError):
    """No service could take the request (none runs, it refused, or the connection broke)."""


def socket_path(home: str | Path | None = None) -> Path:
    """The command socket of the service using this Prefect home."""
    return Path(home or prefect_home()) / SOCKET_NAME


def code_fingerprint(root: Path = PROJECT_ROOT) -> str:
    """A hash of the name, size and modification time of every source file the commands run, and
    of the NER model's metadata (the service's workers keep the model loaded).

    Cheap (a ``stat`` per file) and changes with any edit, so a service started before an edit
    refuses requests from the edited code instead of silently running the old one.
    """
    digest = hashlib.sha256()
    paths = [p for package in CODE_PACKAGES for p in sorted((root / package).rglob("*.py"))]
    for path in paths + sorted(MODELS_DIR.rglob("meta.json")):
        st = path.stat()
        digest.update(f"{path}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def request_context() -> dict[str, str]:
    """What must match between the client and the service for the service to run a request."""
    return {"code": code_fingerprint(), "rules_dir": os.path.abspath(rules_dir())}


def _messages(sock: socket.socket) -> Iterator[dict[str, Any]]:
    with sock.makefile("r", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def call_service(command: str, params: dict[str, Any], *,
                 on_event: Callable[[ProgressEvent], None] | None = None,
                 home: str | Path | None = None) -> dict[str, Any]:
    """Have the running service run ``command`` with ``params``; return its ``result`` report
    (with the service's process id as ``service_pid``).

    Raises :class:`ServiceUnavailable` when there is no service to ask, when it refuses (the
    caller should then run the command itself) or when the connection breaks before a result;
    :class:`ServiceError` when the command itself failed in the service.
    """
    path = socket_path(home)
    if not path.exists():
        raise ServiceUnavailable(f"no fsfdocs service listens at {path}")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        try:
            sock.connect(str(path))
        except OSError as exc:  # a socket left behind by a service that was killed
            raise ServiceUnavailable(f"the fsfdocs service at {path} does not answer: {exc}") \
                from None
        request = {"command": command, "params": params, "context": request_context()}
        sock.sendall(json.dumps(request).encode("utf-8") + b"\n")
        for message in _messages(sock):
            kind = message.get("event")
            if kind == "result":
                return {**message["report"], "service_pid": message.get("pid")}
            if kind == "error":
                raise ServiceError(message["kind"], message["message"])
            if kind == "refused":
                raise ServiceUnavailable(message["message"])
            if on_event is not None:
                on_event(message)
    except (ConnectionError, json.JSONDecodeError) as exc:
        raise ServiceUnavailable(f"the fsfdocs service at {path} broke off: {exc}") from None
    finally:
        sock.close()
    raise ServiceUnavailable(f"the fsfdocs service at {path} closed the connection early")


def send_message(stream: Any, message: dict[str, Any]) -> None:
    """Write one protocol message (a JSON line) to a binary stream and flush it."""
    stream.write(json.dumps(message, default=str).encode("utf-8") + b"\n")
    stream.flush()


HERE_HELP = ("Run in this process even when `fsfdocs serve` is running (by default a running "
             "service runs the command, warm).")

#: Errors of a request that are the caller's (a missing folder, an unknown id, a held lock): the
#: CLI shows them as if it had run the command itself.
CALLER_ERRORS: tuple[type[Exception], ...] = (FileNotFoundError, KeyError, TimeoutError, ValueError)
_CALLER_ERRORS = {e.__name__: e for e in CALLER_ERRORS}


def run_in_service(command: str, params: dict[str, Any],
                   on_event: Callable[[ProgressEvent], None] | None,
                   say: Callable[[str], None]) -> dict[str, Any] | None:
    """The report of ``command`` as run by the service; ``None`` when the caller must run it.

    ``None`` without a word when no service runs; after telling ``say`` why when one was found
    but could not take the request. ``say`` also hears which service ran it. A failure of the
    command is raised as the exception the command would have raised here
    (:class:`ServiceError` for any other kind).
    """
    if not socket_path().exists():
        return None
    try:
        report = call_service(command, params, on_event=on_event)
    except ServiceUnavailable as exc:
        say(f"{exc}; running the command here")
        return None
    except ServiceError as exc:
        if exc.kind in _CALLER_ERRORS:
            raise _CALLER_ERRORS[exc.kind](str(exc)) from None
        raise
    say(f"run by the fsfdocs service (pid {report['service_pid']})")
    return report
