"""The temporary Prefect server fsfdocs launches for flow runs when no API is configured."""

from __future__ import annotations

import json
import ssl
import subprocess
import sys

import psutil
import pytest
from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

from flows import temporary_api
from fsfdocs.prefect_server import api_healthy
from tests.conftest import RAW_DIR, ROOT

pytestmark = pytest.mark.slow


def test_one_server_per_process_reused_and_prepared_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(temporary_api, "_SERVER", None)  # a server of this test's own
    calls: list[str] = []
    with temporary_api.flow_api(while_starting=lambda: calls.append("first")) as url:
        assert url and api_healthy(url)
        assert PREFECT_API_URL.value() == url
    assert not PREFECT_API_URL.value()  # only the block sees it
    server = temporary_api._SERVER
    try:
        assert server is not None and server.running
        with temporary_api.flow_api(while_starting=lambda: calls.append("again")) as again:
            assert again == url  # reused, and nothing to prepare for: it is already up
        assert calls == ["first"]
    finally:
        server.stop()
    assert not server.running


def test_a_configured_api_is_used_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(temporary_api, "_SERVER", None)
    calls: list[str] = []
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:9/api"}):
        assert get_current_settings().flows.heartbeat_frequency  # Prefect's default is on
        with temporary_api.flow_api(while_starting=lambda: calls.append("x")) as url:
            assert url is None and PREFECT_API_URL.value() == "http://127.0.0.1:9/api"
            # a command's flow runs send no heartbeats: joining their thread cost up to 1 s
            assert get_current_settings().flows.heartbeat_frequency is None
            # and their API clients load one CA certificate, not a bundle: it is plain http
            ca_file = get_current_settings().api.ssl_cert_file
            assert ssl.create_default_context(cafile=ca_file).cert_store_stats()["x509_ca"] == 1
    assert temporary_api._SERVER is None and calls == []


def test_an_api_over_tls_keeps_its_certificate_verification() -> None:
    with temporary_settings(updates={PREFECT_API_URL: "https://prefect.example.org/api"}):
        settings = get_current_settings()
        updates = temporary_api.flow_run_settings(settings)
        assert [s.name for s in updates] == ["PREFECT_FLOWS_HEARTBEAT_FREQUENCY"]
        assert temporary_api.flow_run_settings(settings.copy_with_update(updates=updates)) == {}


def test_a_server_launched_early_is_the_one_flows_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(temporary_api, "_SERVER", None)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    temporary_api.prelaunch_temporary_server()
    early = temporary_api._SERVER
    try:
        assert early is not None and early.running
        with temporary_api.flow_api() as url:
            assert url == early.api_url and api_healthy(url)
        assert temporary_api._SERVER is early
    finally:
        early.stop()


def test_a_server_launched_early_stops_when_prefect_names_an_api(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An API set in Prefect's profile is only known once Prefect is imported."""
    monkeypatch.setattr(temporary_api, "_SERVER", None)
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    temporary_api.prelaunch_temporary_server()
    assert temporary_api._SERVER is None  # the environment names one: nothing launched
    monkeypatch.delenv("PREFECT_API_URL")
    temporary_api.prelaunch_temporary_server()
    early = temporary_api._SERVER
    assert early is not None and early.running
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:9/api"}):
        with temporary_api.flow_api() as url:
            assert url is None
    assert temporary_api._SERVER is None and not early.running


CLI_CHILD = r"""
import json, sys
from fsfdocs.settings import configure_environment
configure_environment()
import typer.testing
from fsfdocs.cli import app
from fsfdocs.prefect_server import LocalPrefectServer
launched = []
real_launch = LocalPrefectServer.launch
def launch(self):
    launched.append("prefect" in sys.modules)
    return real_launch(self)
LocalPrefectServer.launch = launch
result = typer.testing.CliRunner().invoke(app, sys.argv[1:])
print(json.dumps({"exit": result.exit_code, "prefect_imported_at_launch": launched}))
"""


@pytest.mark.parametrize("command", ["ingest", "reextract"])
def test_flow_commands_launch_the_server_before_importing_prefect(tmp_path, command) -> None:
    args = {"ingest": ["ingest", "--raw", str(tmp_path)], "reextract": ["reextract"]}[command]
    out = subprocess.run(
        [sys.executable, "-c", CLI_CHILD, *args, "--curated", str(tmp_path / "c"),
         "--interim", str(tmp_path / "i")],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["exit"] == 0, out.stderr[-3000:]
    assert result["prefect_imported_at_launch"] == [False]


CHILD = r"""
import json, sys
from fsfdocs.settings import configure_environment
configure_environment()
from flows.ingest import run_ingest
from fsfdocs import isolation
pools = []
s = run_ingest(raw_dir=sys.argv[1], curated_dir=sys.argv[2], interim_dir=sys.argv[3],
               workers=1, progress=lambda name, outcome: pools.append(len(isolation._SHARED)))
print(json.dumps({"new": s.new, "pools": pools,
                  "server_code_here": "prefect.server.api.server" in sys.modules}))
"""


def test_ingest_starts_the_server_without_its_code_and_warms_one_pool(tmp_path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    name = "finsam-ansokan-make-it-work-2020.pdf"
    (raw / name).write_bytes((RAW_DIR / name).read_bytes())
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(raw), str(tmp_path / "c"), str(tmp_path / "i")],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["new"] == [name]
    assert result["pools"] == [1]  # the pool warmed while the server started is the one used
    assert result["server_code_here"] is False  # the server's code stays in the server process


KILLED_CHILD = r"""
import time
from fsfdocs.settings import configure_environment
configure_environment()
from flows.temporary_api import launch_temporary_server
print(launch_temporary_server().process.pid, flush=True)
time.sleep(600)
"""


def test_a_killed_command_leaves_no_server_behind() -> None:
    child = subprocess.Popen([sys.executable, "-c", KILLED_CHILD], cwd=ROOT, text=True,
                             stdout=subprocess.PIPE)
    server = psutil.Process(int(child.stdout.readline()))
    assert server.is_running()
    child.kill()  # SIGKILL: no atexit, no cleanup in the command itself
    child.wait()
    server.wait(timeout=30)  # psutil.TimeoutExpired if the server outlived its parent
