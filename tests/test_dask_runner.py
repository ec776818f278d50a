"""Scale-out: task-runner selection and a real Dask cluster giving the same rows as a local run."""

from __future__ import annotations

import os
import shutil
import ssl
from pathlib import Path
from typing import Any

import pytest
from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner
from prefect_dask import DaskTaskRunner

from flows.ingest import run_ingest
from flows.reextract import reextract_flow
from flows.runners import (
    LOCAL_CLUSTER_CONFIG,
    dask_cluster_kwargs,
    local_dask_cluster,
    make_task_runner,
    worker_environment,
)
from fsfdocs.store import Store
from tests.conftest import RAW_DIR

#: Columns that differ between two runs of the same input by design.
RUN_COLUMNS = {"run_id", "ingested_at", "first_seen", "last_seen", "occurred_at", "started_at",
               "finished_at", "duration_s", "source_path"}
TABLES = ("documents", "sections", "amounts", "legal_refs", "target_groups", "entities",
          "funding_requests", "checks")


def test_runner_choice() -> None:
    local = make_task_runner("local", workers=3)
    assert isinstance(local.task_runner, ThreadPoolTaskRunner) and local.pool_workers == 3
    procs = make_task_runner("processes", workers=2)
    assert isinstance(procs.task_runner, ProcessPoolTaskRunner) and procs.pool_workers == 1
    dask = make_task_runner("dask", workers=2)
    assert isinstance(dask.task_runner, DaskTaskRunner) and dask.pool_workers == 1
    assert dask.task_runner.cluster_kwargs["n_workers"] == 2
    assert dask.task_runner.cluster_kwargs["processes"] is True
    remote = make_task_runner("local", dask_address="tcp://10.0.0.5:8786")
    assert isinstance(remote.task_runner, DaskTaskRunner)
    assert remote.task_runner.address == "tcp://10.0.0.5:8786"
    assert make_task_runner("local", workers=0).pool_workers >= 1  # 0: one per core


def test_a_flow_is_configured_once_per_thread_pool_size() -> None:
    """Configuring a flow builds its parameter schema (10-25 ms): a warm process reuses it."""
    three = make_task_runner("local", workers=3).configure(reextract_flow)
    assert make_task_runner("local", workers=3).configure(reextract_flow) is three
    assert three.task_runner.duplicate()._max_workers == 6 and three.name == reextract_flow.name
    assert make_task_runner("local", workers=1).configure(reextract_flow) is not three
    procs = make_task_runner("processes", workers=2)
    assert procs.configure(reextract_flow).task_runner is procs.task_runner
    with pytest.raises(ValueError, match="unknown runner"):
        make_task_runner("threads")


def test_workers_of_a_plain_http_api_load_a_one_certificate_ca_file() -> None:
    env = worker_environment("http://127.0.0.1:4200/api")
    assert env["PREFECT_API_URL"] == "http://127.0.0.1:4200/api"
    ctx = ssl.create_default_context(cafile=env["PREFECT_API_SSL_CERT_FILE"])
    assert ctx.cert_store_stats()["x509_ca"] == 1
    # An API over TLS keeps Prefect's own certificate verification.
    assert worker_environment("https://prefect.example.org/api") == {
        "PREFECT_API_URL": "https://prefect.example.org/api"}
    assert worker_environment(None) == {}


@pytest.mark.slow
def test_local_cluster_workers_get_the_api_and_the_quiet_dask_settings() -> None:
    """The settings reach the worker processes (through their nanny), not only this process."""
    import dask
    from distributed import Client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    def probe() -> dict[str, Any]:
        return {"config": {k: dask.config.get(k) for k in LOCAL_CLUSTER_CONFIG},
                "api": os.environ.get("PREFECT_API_URL"),
                "ca": os.environ.get("PREFECT_API_SSL_CERT_FILE")}

    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:9/api"}):
        cluster = local_dask_cluster(**dask_cluster_kwargs(1))
    with cluster, Client(cluster) as client:
        (seen,) = client.run(probe).values()
    assert seen["config"] == LOCAL_CLUSTER_CONFIG
    assert seen["api"] == "http://127.0.0.1:9/api"
    assert seen["ca"] and Path(seen["ca"]).is_file()


def _comparable(curated: Path) -> dict[str, list[tuple]]:
    """Every curated table's rows without run-specific columns, in a stable order."""
    store = Store(curated)
    out: dict[str, list[tuple]] = {}
    for table in TABLES:
        rows = store.read(table).to_pylist()
        out[table] = sorted(
            tuple(sorted((k, repr(v)) for k, v in r.items() if k not in RUN_COLUMNS))
             for r in rows
        )
    return out


def _ingest(tmp: Path, **runner: Any) -> tuple[Any, dict[str, list[tuple]]]:
    raw = tmp / "raw"
    raw.mkdir(parents=True)
    for pdf in sorted(RAW_DIR.glob("*.pdf")):
        shutil.copy(pdf, raw / pdf.name)
    summary = run_ingest(raw_dir=str(raw), curated_dir=str(tmp / "curated"),
                         interim_dir=str(tmp / "interim"), workers=2, **runner)
    return summary, _comparable(tmp / "curated")


@pytest.mark.slow
def test_dask_cluster_ingests_the_corpus_like_a_local_run(tmp_path: Path) -> None:
    """A local Dask cluster of 2 worker processes; parsing (OCR included) runs on the workers."""
    local, local_rows = _ingest(tmp_path / "local", runner="local")
    dask, dask_rows = _ingest(tmp_path / "dask", runner="dask")
    assert local.ok and dask.ok, (local.failed, dask.failed)
    assert sorted(dask.new) == sorted(local.new) == sorted(p.name for p in RAW_DIR.glob("*.pdf"))
    assert dask.pages == local.pages and dask.ocr_pages == local.ocr_pages >= 1
    for table in TABLES:
        assert dask_rows[table] == local_rows[table], table
    assert sum(len(v) for v in dask_rows.values()) > 100
