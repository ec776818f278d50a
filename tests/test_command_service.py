"""``fsfdocs serve``'s command socket: ingest and reextract run warm in the service, for the CLI."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.command_service import CommandService, CommandServiceError
from fsfdocs import isolation
from fsfdocs.service import (
    ServiceError,
    ServiceUnavailable,
    call_service,
    run_in_service,
    socket_path,
)
from fsfdocs.store import Store
from tests.conftest import RAW_DIR, ROOT

pytestmark = pytest.mark.slow

DOCS = ["ansokan-sociala-insatser-lokal-utveckling-2023.pdf",
        "finsam-ansokan-make-it-work-2020.pdf"]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """A service on its own socket, and a raw folder it has not ingested yet."""
    root = tmp_path_factory.mktemp("service")
    (root / "raw").mkdir()
    for name in DOCS:
        shutil.copy(RAW_DIR / name, root / "raw" / name)
    home = root / "home"
    home.mkdir()
    with CommandService(home=home):
        yield {"root": root, "home": home, "raw": root / "raw", "curated": root / "curated",
               "interim": root / "interim"}
    assert not socket_path(home).exists()  # removed on stop


def _params(s: dict[str, Path]) -> dict[str, str]:
    return {"curated_dir": str(s["curated"]), "interim_dir": str(s["interim"])}


def test_ingest_and_reextract_run_in_the_service_with_progress(service: dict[str, Path]) -> None:
    events: list[dict] = []
    report = call_service("ingest", {**_params(service), "raw_dir": str(service["raw"])},
                          on_event=events.append, home=service["home"])
    assert report["ok"] and sorted(report["new"]) == DOCS
    assert report["service_pid"] == os.getpid()
    assert events[0] == {"event": "progress", "total": 2}
    assert sorted(e["name"] for e in events[1:]) == DOCS
    assert all(e["outcome"] == "new" for e in events[1:])
    docs = Store(str(service["curated"])).read("documents").to_pylist()
    assert sorted(d["file_name"] for d in docs) == DOCS
    assert isolation._SHARED  # the document workers stay up for the next command

    again = call_service("reextract", {**_params(service), "all_docs": True},
                         home=service["home"])
    assert again["ok"] and sorted(again["selected"]) == sorted(d["doc_id"] for d in docs)
    assert again["changed_docs"] == [] and again["diff_lines"] == {}


def test_a_failed_command_is_raised_as_the_cli_would_raise_it(service: dict[str, Path]) -> None:
    with pytest.raises(ServiceError, match="no ingested document with id 0000") as caught:
        call_service("reextract", {**_params(service), "doc_ids": ["0000"]},
                     home=service["home"])
    assert caught.value.kind == "KeyError"
    with pytest.raises(ServiceError, match="unknown command"):
        call_service("compact", {}, home=service["home"])


def test_a_request_from_another_rule_folder_is_refused(
        service: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FSFDOCS_RULES_DIR", str(service["root"]))
    with pytest.raises(ServiceUnavailable, match="another rule folder"):
        call_service("reextract", {**_params(service), "all_docs": True}, home=service["home"])
    # the CLI's helper then says why and leaves the command to its caller
    monkeypatch.setenv("PREFECT_HOME", str(service["home"]))
    said: list[str] = []
    assert run_in_service("reextract", _params(service), None, said.append) is None
    assert "running the command here" in said[0]


def test_one_service_per_home_and_a_dead_socket_is_replaced(
        service: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(CommandServiceError, match="another fsfdocs service"):
        CommandService(home=service["home"]).start()
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(socket_path(tmp_path)))  # bound, never listening: a killed service's socket
    stale.close()
    with pytest.raises(ServiceUnavailable, match="does not answer"):
        call_service("reextract", {}, home=tmp_path)
    with CommandService(home=tmp_path) as fresh:
        assert fresh.path.exists()
    assert not socket_path(tmp_path).exists()


def test_the_cli_hands_ingest_and_reextract_to_the_service(service: dict[str, Path]) -> None:
    env = {**os.environ, "PREFECT_HOME": str(service["home"])}
    where = ["--curated", str(service["curated"]), "--interim", str(service["interim"])]

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "fsfdocs.cli", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300, check=False)

    ingest = cli("ingest", "--raw", str(service["raw"]), *where)  # new here, or skipped
    assert ingest.returncode == 0, ingest.stderr
    assert f"run by the fsfdocs service (pid {os.getpid()})" in ingest.stderr
    assert "Ingest run" in ingest.stdout
    reextract = cli("reextract", "--all", *where)
    assert reextract.returncode == 0, reextract.stderr
    assert f"run by the fsfdocs service (pid {os.getpid()})" in reextract.stderr
    assert "2 documents re-extracted" in reextract.stdout
    unknown = cli("reextract", "--doc", "0000", *where)
    assert unknown.returncode == 2
    assert "no ingested document with id 0000" in unknown.stderr
