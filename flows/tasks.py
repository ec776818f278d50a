"""Prefect tasks shared by the ingest and re-extraction flows."""

from __future__ import annotations

import multiprocessing
import multiprocessing.util
import queue
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture

from fsfdocs.isolation import (
    Limits,
    WorkerCrashed,
    WorkerTimeout,
    close_shared_runners,
    shared_runner,
)
from fsfdocs.processing import (
    DocumentResult,
    StageError,
    extract_cached,
    process_document,
    warm_up,
)


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


#: Both document tasks retry once, and only a crashed worker; their results are never cached.
DOCUMENT_TASK_OPTIONS: dict[str, Any] = {
    "retries": 1,
    "retry_delay_seconds": 1,
    "retry_condition_fn": _retry_transient,
    "cache_policy": NO_CACHE,
}


@task(name="process-document", task_run_name="process {source_path}", **DOCUMENT_TASK_OPTIONS)
def process_document_task(
    source_path: str, doc_id: str, interim_dir: str, workers: int, limits: Limits
) -> DocumentResult:
    """Parse (or load from the cache) and extract one document in an isolated worker process.

    In a daemonic process (a Dask worker of a cluster not started by fsfdocs), which may not
    have children, the document runs right here under the cluster's own memory limit.
    """
    current = multiprocessing.current_process()
    if current.daemon:
        return process_document(source_path, doc_id, interim_dir)
    if multiprocessing.parent_process() is not None:
        _close_pool_at_exit()
    runner = shared_runner(workers, limits, warmup=warm_up)
    return runner.run(process_document, source_path, doc_id, interim_dir,
                      label=Path(source_path).name)


_EXIT_HOOKED = False

T = TypeVar("T")


def run_windowed(
    submit: Callable[[T], PrefectFuture[Any]], items: Iterable[T], window: int
) -> Iterator[tuple[T, PrefectFuture[Any]]]:
    """Submit ``items`` with at most ``window`` in flight; yield ``(item, future)`` as each ends.

    Each future is forgotten once yielded. A Dask worker keeps a task's result while any
    reference to its future lives, and Prefect's ``as_completed`` keeps them all until the last
    one finishes, so with it memory grew with the number of documents in a run; this way it is
    bounded by ``window`` whatever the corpus size, and task runs are created as work frees up.
    """
    finished: queue.SimpleQueue[PrefectFuture[Any]] = queue.SimpleQueue()
    pending: dict[PrefectFuture[Any], T] = {}
    todo = iter(items)

    def top_up() -> None:
        for item in todo:
            future = submit(item)
            pending[future] = item
            future.add_done_callback(finished.put)
            if len(pending) >= window:
                return

    top_up()
    while pending:
        future = finished.get()
        item = pending.pop(future)
        yield item, future
        del future
        top_up()


def _close_pool_at_exit() -> None:
    """In a task-executing child process (Dask or process-pool worker), stop its isolated pool
    when the process ends; multiprocessing would otherwise wait for the idle pool workers."""
    global _EXIT_HOOKED
    if not _EXIT_HOOKED:
        multiprocessing.util.Finalize(None, close_shared_runners, exitpriority=100)
        _EXIT_HOOKED = True


@task(name="reextract-document", task_run_name="reextract {source_path}",
      **DOCUMENT_TASK_OPTIONS)
def reextract_document_task(
    source_path: str, doc_id: str, interim_dir: str, workers: int, limits: Limits
) -> DocumentResult:
    """Re-extract one document from the caches in this thread; a missing or corrupt parse cache
    entry is parsed again in an isolated worker process, as ingestion does."""
    cached = extract_cached(source_path, doc_id, interim_dir)
    if cached is not None:
        return cached
    return process_document_task.fn(source_path, doc_id, interim_dir, workers, limits)


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
