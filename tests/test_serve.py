"""Scheduled ingestion: the local Prefect server, `fsfdocs serve` on a schedule and `--once`."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pikepdf
import psutil
import pytest
from typer.testing import CliRunner

from flows.serve import parse_interval
from fsfdocs.cli import app
from fsfdocs.discovery import sha256_of
from fsfdocs.prefect_server import LocalPrefectServer, PrefectServerError, api_healthy
from fsfdocs.store import Store
from tests.conftest import RAW_DIR

TEXT_PDFS = ["finsam-ansokan-make-it-work-2020.pdf",
             "ansokan-sociala-insatser-lokal-utveckling-2023.pdf"]
EXTRACTED = ("sections", "amounts", "legal_refs", "target_groups")


def _age(path: Path, seconds: float = 600) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past))


def _rows(curated: Path, table: str) -> list[dict]:
    return Store(curated).read(table).to_pylist()


def test_parse_interval() -> None:
    assert parse_interval("15m") == timedelta(minutes=15)
    assert parse_interval("30s") == timedelta(seconds=30)
    assert parse_interval("2h") == timedelta(hours=2)
    assert parse_interval("1d") == timedelta(days=1)
    assert parse_interval("90") == timedelta(seconds=90)
    for bad in ("", "fast", "0m", "-5m", "15 minutes"):
        with pytest.raises(ValueError):
            parse_interval(bad)


def test_server_needs_a_migrated_database(tmp_path: Path) -> None:
    with pytest.raises(PrefectServerError, match="database"):
        LocalPrefectServer(home=tmp_path).start()


def test_local_server_listens_on_loopback_only_and_stops() -> None:
    home = Path(os.environ["PREFECT_HOME"])  # conftest seeds it with the migrated database
    if not (home / "prefect.db").is_file():
        pytest.skip("no migrated Prefect database (run scripts/setup.sh)")
    with LocalPrefectServer(home=home) as server:
        assert server.running and api_healthy(server.api_url)
        group = [p for p in psutil.process_iter() if _in_group(p, server.process.pid)]
        listening = {
            c.laddr for p in group for c in _connections(p)
            if c.status == psutil.CONN_LISTEN and c.laddr.port == server.port
        }
        assert listening and {addr.ip for addr in listening} == {"127.0.0.1"}
    assert not server.running and not api_healthy(server.api_url)
    assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in group)


def _in_group(proc: psutil.Process, pgid: int) -> bool:
    try:
        return os.getpgid(proc.pid) == pgid
    except (ProcessLookupError, psutil.Error):
        return False


def _connections(proc: psutil.Process) -> list:
    try:
        return proc.net_connections(kind="tcp")
    except psutil.Error:
        return []


@pytest.mark.slow
def test_serve_on_interval_takes_settled_files_and_stops_its_server(tmp_path: Path) -> None:
    """`serve --interval` starts a local server, runs scheduled passes; SIGTERM stops both."""
    raw, curated, interim = tmp_path / "raw", tmp_path / "curated", tmp_path / "interim"
    raw.mkdir()
    old, fresh = raw / TEXT_PDFS[0], raw / TEXT_PDFS[1]
    shutil.copy(RAW_DIR / TEXT_PDFS[0], old)
    _age(old)
    shutil.copy(RAW_DIR / TEXT_PDFS[1], fresh)  # just copied in: younger than the settle time
    (raw / "incoming.pdf.part").write_bytes(b"%PDF-1.7 half written")
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "fsfdocs.cli", "serve", "--interval", "5s", "--raw", str(raw),
         "--curated", str(curated), "--interim", str(interim), "--workers", "1",
         "--settle", "300"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            if (curated / "runs").exists() and _rows(curated, "runs"):
                break
            time.sleep(2)
        assert proc.poll() is None, f"serve exited early:\n{proc.stdout.read()}"
        runs = _rows(curated, "runs")
        assert runs and runs[0]["docs_new"] == 1
        docs = _rows(curated, "documents")
        assert [d["file_name"] for d in docs] == [old.name]  # the fresh file waits
        assert docs[0]["doc_id"] == sha256_of(old)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
        try:
            out, _ = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
    ui = next(w for w in out.split() if w.startswith("http://127.0.0.1:"))
    assert proc.returncode == 0, out[-3000:]
    assert not api_healthy(ui.rstrip("/") + "/api"), "the local server outlived serve"


@pytest.mark.slow
def test_serve_once_reingests_a_changed_file_as_a_new_version(tmp_path: Path) -> None:
    raw, curated, interim = tmp_path / "raw", tmp_path / "curated", tmp_path / "interim"
    raw.mkdir()
    pdf = raw / TEXT_PDFS[0]
    shutil.copy(RAW_DIR / TEXT_PDFS[0], pdf)
    _age(pdf)
    args = ["serve", "--once", "--raw", str(raw), "--curated", str(curated),
            "--interim", str(interim), "--workers", "1"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    before = {d["doc_id"]: d for d in _rows(curated, "documents")}
    assert list(before) == [sha256_of(pdf)]
    old_id = next(iter(before))

    with pikepdf.open(pdf, allow_overwriting_input=True) as doc:  # same name, new content
        doc.docinfo["/Subject"] = "Reviderad version"
        doc.save(pdf)
    _age(pdf, 400)
    second = CliRunner().invoke(app, args)
    assert second.exit_code == 0, second.output
    docs = _rows(curated, "documents")
    assert [d["doc_id"] for d in docs] == [sha256_of(pdf)] != [old_id]
    assert docs[0]["first_seen"] == before[old_id]["first_seen"]
    assert docs[0]["last_seen"] > before[old_id]["last_seen"]
    for table in EXTRACTED:
        ids = {r["doc_id"] for r in _rows(curated, table)}
        assert ids == {docs[0]["doc_id"]}, table

    third = CliRunner().invoke(app, args)  # nothing new: skipped, still exit 0
    assert third.exit_code == 0 and "0 new, 1 skipped" in " ".join(third.output.split())
