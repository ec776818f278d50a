"""Prefect tasks shared by the ingest and re-extraction flows.

A task handles a batch of documents (see :func:`guided_batches`), each in its own isolated
worker process, and returns one outcome per document, so one bad document never fails the others.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.util
import queue
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture

from fsfdocs.isolation import (
    IsolatedRunner,
    Limits,
    WorkerCrashed,
    WorkerTimeout,
    close_shared_runners,
    shared_runner,
    started_runner,
)
from fsfdocs.processing import (
    DocumentResult,
    Reextraction,
    StageError,
    compare_with_store,
    reextract_cached,
    warm_up,
    warm_up_extractors,
)
from fsfdocs.processing import process_document as process_in_this_process
from fsfdocs.settings import rules_dir


@dataclass
class Failure:
    """One document that could not be ingested or re-extracted: an ``errors`` row."""

    source_path: str
    sha256: str | None
    stage: str
    error_type: str
    message: str


#: (source path, doc id) of one document of a batch task.
DocRef = tuple[str, str]

#: What a batch task returns for each document: its result, or the exception that failed it.
Outcome = DocumentResult | Reextraction | Exception

#: Calls an extraction worker makes before it is replaced. It runs no parser and, with the NER
#: cache, no model, so its memory does not creep as a parsing worker's does; replacing it every
#: 25 documents, as those are, would cost more warm-up than the documents' own work.
EXTRACTION_MAX_TASKS = 1000

T = TypeVar("T")

_EXIT_HOOKED = False


def _close_pool_at_exit() -> None:
    """In a task-executing child process (Dask or process-pool worker), stop its isolated pool
    when the process ends; multiprocessing would otherwise wait for the idle pool workers."""
    global _EXIT_HOOKED
    if not _EXIT_HOOKED:
        multiprocessing.util.Finalize(None, close_shared_runners, exitpriority=100)
        _EXIT_HOOKED = True


def process_document(source_path: str, doc_id: str, interim_dir: str, workers: int,
                     limits: Limits) -> DocumentResult:
    """Parse (or load from the cache) and extract one document in an isolated worker process.

    In a daemonic process (a Dask worker of a cluster not started by fsfdocs), which may not
    have children, the document runs right here under the cluster's own memory limit.
    """
    if multiprocessing.current_process().daemon:
        return process_in_this_process(source_path, doc_id, interim_dir)
    if multiprocessing.parent_process() is not None:
        _close_pool_at_exit()
    runner = shared_runner(workers, limits, warmup=warm_up)
    return runner.run(process_in_this_process, source_path, doc_id, interim_dir,
                      label=Path(source_path).name)


def extraction_runner(workers: int, limits: Limits, *, start: bool = False
                      ) -> IsolatedRunner | None:
    """The worker processes re-extraction runs in: warmed with the rules alone
    (:func:`~fsfdocs.processing.warm_up_extractors`). ``start`` spawns them (the command service
    keeps them up); otherwise the runner is returned only when already started."""
    if start:
        runner = shared_runner(workers, limits, warm_up_extractors, EXTRACTION_MAX_TASKS)
        runner.start()
        return runner
    return started_runner(workers, limits, warm_up_extractors, EXTRACTION_MAX_TASKS)


def reextract_document(source_path: str, doc_id: str, interim_dir: str, curated_dir: str,
                       workers: int, limits: Limits) -> Reextraction:
    """Re-extract one document from the caches in this thread and diff it against its rows in
    the store; without a usable parse cache entry, :func:`reparse_document`."""
    found = reextract_cached(source_path, doc_id, interim_dir, curated_dir)
    if found is not None:
        return found
    return reparse_document(source_path, doc_id, interim_dir, curated_dir, workers, limits)


def reparse_document(source_path: str, doc_id: str, interim_dir: str, curated_dir: str,
                     workers: int, limits: Limits) -> Reextraction:
    """Parse a document whose parse cache entry is missing or corrupt again, in an isolated worker
    as at ingestion (which caches it again), and diff it against its rows in the store."""
    result = process_document(source_path, doc_id, interim_dir, workers, limits)
    return compare_with_store(result, curated_dir)


def reextract_batch(docs: Sequence[DocRef], interim_dir: str, curated_dir: str, workers: int,
                    limits: Limits) -> list[Outcome]:
    """Re-extract a batch of documents and diff each against the store.

    When the extraction workers are up (:func:`extraction_runner`) the whole batch goes to them
    at once: they run its documents side by side, away from the flow's busy threads, and one task
    can carry many documents without holding up the rest. Otherwise (a one-shot run of a few
    documents, see :func:`flows.reextract.reextract_flow`) they run one after the other in this
    thread (:func:`run_each`). Either way a crashed worker's document is tried once more, and one
    without a usable parse cache entry is parsed again (:func:`reparse_document`).
    """
    runner = extraction_runner(workers, limits)
    if runner is None:
        return run_each(reextract_document, docs, interim_dir, curated_dir, workers, limits)
    rules = rules_dir()  # the workers may have been started under another FSFDOCS_RULES_DIR
    calls = [((path, doc_id, interim_dir, curated_dir, rules), Path(path).name)
             for path, doc_id in docs]
    out: list[Outcome] = []
    for doc, call, outcome in zip(docs, calls, runner.run_all(reextract_cached, calls),
                                  strict=True):
        if isinstance(outcome, WorkerCrashed):
            [outcome] = runner.run_all(reextract_cached, [call])
        if outcome is None:
            [outcome] = run_each(reparse_document, [doc], interim_dir, curated_dir, workers,
                                 limits)
        out.append(outcome)
    return out


def run_each(work: Callable[..., DocumentResult | Reextraction], docs: Sequence[DocRef],
             *args: Any) -> list[Outcome]:
    """``work(path, doc_id, *args)`` for each document: its result or the exception it raised.

    A crashed worker process (killed, out of memory) is retried once; a timeout or a bad PDF is
    not, as it fails the same way every time.
    """
    out: list[Outcome] = []
    for source_path, doc_id in docs:
        for attempt in (1, 2):
            try:
                out.append(work(source_path, doc_id, *args))
            except WorkerCrashed as exc:
                if attempt == 1:
                    continue
                out.append(exc)
            except Exception as exc:  # noqa: BLE001 - this document's failure, reported
                out.append(exc)
            break
    return out


@task(name="process-documents", task_run_name="process {label}", cache_policy=NO_CACHE)
def process_documents_task(docs: list[DocRef], label: str, interim_dir: str, workers: int,
                           limits: Limits) -> list[Outcome]:
    """Parse and extract a batch of documents, one after the other (:func:`process_document`)."""
    return run_each(process_document, docs, interim_dir, workers, limits)


@task(name="reextract-documents", task_run_name="reextract {label}", cache_policy=NO_CACHE)
def reextract_documents_task(docs: list[DocRef], label: str, interim_dir: str, curated_dir: str,
                             workers: int, limits: Limits) -> list[Outcome]:
    """Re-extract a batch of documents and diff each against the store (:func:`reextract_batch`)."""
    return reextract_batch(docs, interim_dir, curated_dir, workers, limits)


def batch_label(names: Sequence[str]) -> str:
    """A batch task run's name: its first file and how many more."""
    return names[0] if len(names) == 1 else f"{names[0]} (+{len(names) - 1} more)"


def guided_batches(items: Sequence[T], slots: int, max_size: int) -> Iterator[list[T]]:
    """``items`` in consecutive batches that shrink as the work runs out (guided scheduling).

    Each batch is a ``4 * slots``-th of what is left, at most ``max_size`` and at least one item.
    A large run thus pays Prefect's per-task cost (settings, API calls: about 0.3 s of CPU a
    task) once per batch rather than once per document, and its last batches hold one document
    each, so no worker idles at the end while another works through a long batch. A run of at
    most ``8 * slots`` documents gets one task per document.
    """
    i = 0
    while i < len(items):
        size = max(1, min(max_size, (len(items) - i) // (4 * max(1, slots))))
        yield list(items[i:i + size])
        i += size


def batch_outcomes(future: PrefectFuture[list[Outcome]], size: int) -> list[Outcome]:
    """The per-document outcomes of a batch task; the task's own failure for each document."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - the whole batch failed (e.g. its worker was lost)
        return [exc] * size


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


def run_in_batches(
    submit: Callable[[list[T]], PrefectFuture[list[Outcome]]], batches: Iterable[list[T]],
    window: int,
) -> Iterator[tuple[T, Outcome]]:
    """Submit ``batches`` through :func:`run_windowed`; yield each item with its outcome as its
    batch ends."""
    for batch, future in run_windowed(submit, batches, window):
        yield from zip(batch, batch_outcomes(future, len(batch)), strict=True)


def fixed_batches(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """``items`` in consecutive batches of ``size`` (the last may be shorter)."""
    for i in range(0, len(items), max(1, size)):
        yield list(items[i:i + max(1, size)])


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
