"""Prefect tasks shared by the ingest and re-extraction flows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from fsfdocs.isolation import Limits, WorkerCrashed, WorkerTimeout, shared_runner
from fsfdocs.processing import DocumentResult, StageError, process_document


@dataclass
class Failure:
    """One document that could not be ingested or re-extracted: an ``errors`` row."""

    source_path: str
    sha256: str | None
    stage: str
    error_type: str
    message: str


def _retry_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Retry only a crashed worker; a timeout or a bad PDF fails the same way every time."""
    try:
        state.result()
    except WorkerCrashed:
        return True
    except Exception:  # noqa: BLE001
        return False
    return False


@task(
    name="process-document",
    task_run_name="process {source_path}",
    retries=1,
    retry_delay_seconds=1,
    retry_condition_fn=_retry_transient,
    cache_policy=NO_CACHE,
)
def process_document_task(
    source_path: str, doc_id: str, interim_dir: str, workers: int, limits: Limits
) -> DocumentResult:
    """Parse (or load from the cache) and extract one document in an isolated worker process."""
    runner = shared_runner(workers, limits)
    return runner.run(process_document, source_path, doc_id, interim_dir,
                      label=Path(source_path).name)


def failure_from_exception(source_path: str, doc_id: str | None, exc: BaseException) -> Failure:
    """Classify what went wrong with one document into an ``errors`` row."""
    if isinstance(exc, StageError):
        return Failure(source_path, doc_id, exc.stage, exc.error_type, exc.message)
    if isinstance(exc, WorkerTimeout):
        return Failure(source_path, doc_id, "timeout", "Timeout", str(exc))
    if isinstance(exc, WorkerCrashed):
        return Failure(source_path, doc_id, "crash", "WorkerCrashed", str(exc))
    name = Path(source_path).name
    return Failure(source_path, doc_id, "ingest", type(exc).__name__, f"{name}: {exc}")
