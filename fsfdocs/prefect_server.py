"""Start and stop a local Prefect server in a child process.

Two kinds, both on SQLite under the Prefect home (``$PREFECT_HOME``, by default ``.prefect/`` in
the project) and bound to 127.0.0.1 on a free port:

- the full server for ``fsfdocs serve`` (schedules need a real server): ``prefect server start``
  with the UI and Prefect's background services. The database is migrated at install time
  (``scripts/setup.sh``), so it starts with ``PREFECT_API_DATABASE_MIGRATE_ON_START=false``.
  Output goes to ``$PREFECT_HOME/server.log``.
- the temporary server a flow run uses when no ``PREFECT_API_URL`` is set (``temporary=True``):
  the same process Prefect itself would start (uvicorn on Prefect's app factory, no UI, no
  background services), launched without waiting so the caller can prepare meanwhile (see
  :mod:`flows.temporary_api`). Output goes to ``$PREFECT_HOME/temporary-server.log``.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from fsfdocs.settings import prefect_home

HOST = "127.0.0.1"


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: have the kernel send the server SIGTERM when the process that started it dies,
    so a killed ``fsfdocs`` command never leaves a temporary server behind.

    The kernel tracks the *thread* that started the child: launch from a thread that lives as
    long as the server is needed (the main thread, not a request's worker thread).
    """
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


class PrefectServerError(RuntimeError):
    """The local Prefect server could not be started."""


def free_port(host: str = HOST) -> int:
    """A TCP port on ``host`` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def api_healthy(api_url: str, timeout_s: float = 2.0) -> bool:
    """Whether the Prefect API at ``api_url`` answers its health check."""
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=timeout_s) as resp:
            return resp.status == 200 and json.loads(resp.read() or b"null") is True
    except (urllib.error.URLError, OSError, ValueError):
        return False


class LocalPrefectServer:
    """A Prefect server child process; use as a context manager.

    >>> with LocalPrefectServer() as server:      # doctest: +SKIP
    ...     print(server.ui_url, server.api_url)

    ``temporary`` starts the lighter server Prefect uses for a flow run without an API (see the
    module docstring); :meth:`launch` and :meth:`wait_ready` split :meth:`start` in two.
    """

    def __init__(self, home: Path | None = None, port: int | None = None,
                 startup_timeout_s: float = 120.0, temporary: bool = False) -> None:
        self.home = Path(home) if home else prefect_home()
        self.port = port or free_port()
        self.startup_timeout_s = startup_timeout_s
        self.temporary = temporary
        self.process: subprocess.Popen[bytes] | None = None
        self._deadline = 0.0  # set by launch()
        self.ready = False  # the API has answered since launch()
        self.log_path = self.home / ("temporary-server.log" if temporary else "server.log")

    @property
    def ui_url(self) -> str:
        """Where the Prefect UI is served."""
        return f"http://{HOST}:{self.port}"

    @property
    def api_url(self) -> str:
        """The value for ``PREFECT_API_URL``."""
        return f"{self.ui_url}/api"

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
        env.update({
            "PREFECT_HOME": str(self.home),
            "PREFECT_API_BLOCKS_REGISTER_ON_START": "false",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        })
        if self.temporary:
            # As Prefect's own temporary server; migrating on start stays as configured (a new
            # Prefect home is migrated by its first server, see fsfdocs.settings).
            env.update({"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
                        "PREFECT__SERVER_FINAL": "1"})
        else:
            env.update({
                "PREFECT_API_DATABASE_MIGRATE_ON_START": "false",
                "PREFECT_SERVER_API_HOST": HOST,
                "PREFECT_SERVER_API_PORT": str(self.port),
                "PREFECT_UI_API_URL": self.api_url,
            })
        return env

    def _command(self) -> list[str]:
        if self.temporary:
            return [sys.executable, "-m", "uvicorn", "--factory",
                    "prefect.server.api.server:create_app", "--host", HOST, "--port",
                    str(self.port), "--log-level", "error", "--lifespan", "on"]
        return [sys.executable, "-m", "prefect", "server", "start", "--host", HOST,
                "--port", str(self.port), "--no-background", "--analytics-off"]

    def launch(self) -> LocalPrefectServer:
        """Start the server process and return at once; :meth:`wait_ready` waits for its API."""
        if not self.temporary and not (self.home / "prefect.db").is_file():
            raise PrefectServerError(
                f"no Prefect database in {self.home}: run scripts/setup.sh (it migrates the "
                "database once, at install time) or `prefect server database upgrade -y`"
            )
        self.home.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed with the process
        try:
            self.process = subprocess.Popen(
                self._command(), env=self._environment(), stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,  # its own process group
                preexec_fn=_die_with_parent if self.temporary else None,
            )
        finally:
            log.close()
        self._deadline = time.monotonic() + self.startup_timeout_s
        self.ready = False
        return self

    def start(self) -> LocalPrefectServer:
        """Start the server and wait until its API is healthy; raise :class:`PrefectServerError`."""
        return self.launch().wait_ready()

    def wait_ready(self) -> LocalPrefectServer:
        """Wait until the launched server's API is healthy; raise :class:`PrefectServerError`."""
        if self.process is None:
            raise PrefectServerError("the Prefect server was not launched")
        while not self.ready and time.monotonic() < self._deadline:
            if self.process.poll() is not None:
                raise PrefectServerError(
                    f"the Prefect server exited with code {self.process.returncode}; "
                    f"see {self.log_path}"
                )
            self.ready = api_healthy(self.api_url)
            if not self.ready:
                time.sleep(0.05)
        if self.ready:
            return self
        self.stop()
        raise PrefectServerError(
            f"the Prefect server did not answer within {self.startup_timeout_s:g} s; "
            f"see {self.log_path}"
        )

    def stop(self, timeout_s: float = 15.0) -> None:
        """Stop the server and everything it started (SIGTERM to its group, then SIGKILL)."""
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=timeout_s)

    @property
    def running(self) -> bool:
        """Whether the server process is alive."""
        return self.process is not None and self.process.poll() is None

    def __enter__(self) -> LocalPrefectServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
