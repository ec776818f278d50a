"""The Prefect ingest flow: ``data/raw`` PDFs → parse cache → extractors → curated Parquet.

Each task takes a batch of documents (one per task in a small run, see
:func:`flows.tasks.guided_batches`) and hands each document's CPU work to an isolated worker
process (time and memory limits, see :mod:`fsfdocs.isolation`). Results are written as they
finish, by this process alone, under the store's lock. A document that fails gets an
``errors`` row and never stops the run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger
from prefect.task_runners import ThreadPoolTaskRunner

from flows.tasks import (
    Failure,
    batch_label,
    failure_from_exception,
    guided_batches,
    process_documents_task,
    run_in_batches,
)
from fsfdocs.discovery import RawFile, discover_raw_files, largest_first
from fsfdocs.isolation import Limits
from fsfdocs.processing import DocumentResult
from fsfdocs.runs import new_run_id, run_record
from fsfdocs.store import Store
from fsfdocs.versions import PIPELINE_VERSION, compute_rules_version

#: Called after each document with (file name, outcome); the CLI draws its progress bar with it.
ProgressCallback = Callable[[str, str], None]
PROGRESS: ContextVar[ProgressCallback | None] = ContextVar("fsfdocs_progress", default=None)


def current_progress() -> ProgressCallback | None:
    """This run's progress callback.

    A function, so that the flow's code does not name the ``ContextVar``: distributed task runners
    (Dask) pickle the flow by value with the run context, and a ``ContextVar`` cannot be pickled.
    """
    return PROGRESS.get()


@dataclass
class IngestSummary:
    """What one ingest run did; ``failed`` lists the documents with an ``errors`` row."""

    run_id: str
    new: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # files still being written, left for later
    pages: int = 0
    ocr_pages: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    def report(self) -> dict[str, Any]:
        """The summary as plain data (JSON-ready), as the CLI prints it."""
        return {**asdict(self), "ok": self.ok}


def earliest_first_seen(versions: dict[str, datetime | None]) -> datetime | None:
    """When the earliest of a path's ingested versions was first seen (None: a new path)."""
    return min((seen for seen in versions.values() if seen is not None), default=None)


def document_row(res: DocumentResult, run_id: str, rules_version: str, now: datetime,
                 first_seen: datetime | None) -> dict[str, Any]:
    """The ``documents`` record of one ingested document."""
    return {
        "doc_id": res.doc_id,
        "file_name": res.file_name,
        "source_path": res.source_path,
        **res.metadata,
        "status": "ok",
        "pipeline_version": PIPELINE_VERSION,
        "rules_version": rules_version,
        "ingested_at": now,
        "run_id": run_id,
        "first_seen": first_seen or now,
        "last_seen": now,
    }


@flow(name="fsfdocs-ingest", task_runner=ThreadPoolTaskRunner(max_workers=16), log_prints=False)
def ingest_flow(
    raw_dir: str = "data/raw",
    curated_dir: str = "data/curated",
    interim_dir: str = "data/interim",
    workers: int = 0,
    timeout_s: float = Limits.timeout_s,
    memory_mb: int = Limits.memory_mb,
    settle_s: float = 0.0,
    lock_timeout_s: float = 600.0,
    max_in_flight: int = 64,
    slots: int = 0,
    max_batch: int = 8,
) -> IngestSummary:
    """Ingest every new PDF under ``raw_dir`` into the curated store.

    Content hashes already in the store are skipped, so running twice adds nothing. ``workers``
    0 means one per CPU core. ``settle_s`` leaves files modified less than that many seconds ago
    for a later run (they may still be being copied in). Documents go to tasks in batches of at
    most ``max_batch`` (1: a task per document), sized for ``slots`` tasks running at once
    (0: ``workers``); at most ``max_in_flight`` tasks are submitted at a time, so the results
    held stay bounded however large the folder.
    """
    import os

    logger = get_run_logger()
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    run_id = new_run_id(started)
    summary = IngestSummary(run_id=run_id)
    workers = workers or os.cpu_count() or 1
    limits = Limits(timeout_s=timeout_s, memory_mb=memory_mb)
    rules_version = compute_rules_version().version
    progress = current_progress()
    store = Store(curated_dir)

    with store.lock(timeout_s=lock_timeout_s):
        found = discover_raw_files(raw_dir, settle_s=settle_s)
        summary.waiting = [f.name for f in found.waiting]
        for bad in found.unreadable:
            summary.failed.append(Failure(bad.source_path, None, "discover", bad.error_type,
                                          bad.message))
        known = store.known_doc_ids()
        versions = store.versions_by_path()  # read once: the lock keeps it true for the run
        todo: list[RawFile] = []
        for raw in found.files:
            if raw.sha256 in known:  # ingested before, or a copy of a file queued in this run
                summary.skipped.append(raw.name)
                if progress:
                    progress(raw.name, "skipped")
            else:
                todo.append(raw)
                known.add(raw.sha256)
        logger.info("%d new, %d skipped, %d waiting", len(todo), len(summary.skipped),
                    len(summary.waiting))

        def submit(batch: list[RawFile]) -> Any:
            return process_documents_task.submit(
                [(str(raw.path), raw.sha256) for raw in batch],
                batch_label([raw.name for raw in batch]), interim_dir, workers, limits,
            )

        def record(raw: RawFile, outcome: DocumentResult | Exception) -> str:
            if isinstance(outcome, Exception):
                summary.failed.append(failure_from_exception(str(raw.path), raw.sha256, outcome))
                logger.warning("failed: %s", summary.failed[-1].message)
                return "failed"
            res, now = outcome, datetime.now(UTC)
            tables = dict(res.tables)
            tables["documents"] = [
                document_row(res, run_id, rules_version, now,
                             earliest_first_seen(versions.get(res.source_path, {})))
            ]
            errors = store.replace_document_rows(
                res.doc_id, res.metadata["doc_type"], res.metadata["year"], tables,
                run_id=run_id, rules_version=rules_version, report_errors=False,
            )
            if errors:
                summary.failed.append(Failure(str(raw.path), raw.sha256, "write", "SchemaError",
                                              "; ".join(errors)[:2000]))
                return "failed"
            store.retire_other_versions(res.source_path, keep_doc_id=res.doc_id,
                                        versions=versions)
            summary.new.append(raw.name)
            summary.pages += res.pages
            summary.ocr_pages += res.ocr_pages
            return "new"

        batches = guided_batches(largest_first(todo), slots or workers, max_batch)
        for raw, outcome in run_in_batches(submit, batches, max_in_flight):
            result = record(raw, outcome)
            if progress:
                progress(raw.name, result)

        occurred = datetime.now(UTC)
        store.append("errors", [
            {**vars(f), "occurred_at": occurred, "run_id": run_id} for f in summary.failed
        ])
        summary.seconds = time.perf_counter() - t0
        store.append("runs", [run_record(
            run_id, "ingest", started, new=len(summary.new), skipped=len(summary.skipped),
            failed=len(summary.failed), pages=summary.pages, ocr_pages=summary.ocr_pages,
            rules_version=rules_version, duration_s=summary.seconds,
        )])
    return summary


def run_ingest(progress: ProgressCallback | None = None, runner: str = "local",
               dask_address: str | None = None, keep_workers: bool = False,
               **params: Any) -> IngestSummary:
    """Run :func:`ingest_flow` with an optional progress callback (used by the CLI).

    ``runner`` (``local``, ``processes``, ``dask``) and ``dask_address`` choose where the
    per-document tasks run (:mod:`flows.runners`); ``workers`` is how many run at once.
    ``keep_workers`` leaves the document worker processes up for the next run of this process
    (the command service); otherwise they are stopped.
    """
    from flows.runners import make_task_runner
    from flows.temporary_api import flow_api
    from fsfdocs.isolation import close_shared_runners

    choice = make_task_runner(runner, params.pop("workers", 0), dask_address)
    limits = Limits(**{k: params[k] for k in ("timeout_s", "memory_mb") if k in params})
    token = PROGRESS.set(progress)
    try:
        with flow_api(while_starting=lambda: choice.prestart_pool(limits)):
            return choice.configure(ingest_flow)(
                workers=choice.pool_workers,
                **{"max_in_flight": choice.in_flight, "slots": choice.slots, **params},
            )
    finally:
        PROGRESS.reset(token)
        if not keep_workers:
            close_shared_runners()


