"""The Prefect re-extraction flow: re-run the extractors from the parse cache, diff, replace.

Documents whose records were made with another ``rules_version`` (or all, or those named) are
re-extracted from ``data/interim`` — a PDF is parsed again only when its cache entry is missing
or corrupt, which is reported and repaired. Each document's changes are diffed record by record
(``extraction_diffs``); the rows replaced are kept in the store's history so before and after
can be compared with SQL. ``dry_run`` computes and returns the diff and writes nothing.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

import pyarrow.compute as pc
from prefect import flow, get_run_logger
from prefect.context import FlowRunContext
from prefect.task_runners import ThreadPoolTaskRunner

from flows.tasks import (
    Failure,
    batch_label,
    extraction_runner,
    failure_from_exception,
    fixed_batches,
    guided_batches,
    reextract_documents_task,
    run_in_batches,
)
from fsfdocs.diff import TableDiff, summarize
from fsfdocs.isolation import Limits, close_shared_runners
from fsfdocs.processing import Reextraction
from fsfdocs.runs import new_run_id, run_record
from fsfdocs.store import Store
from fsfdocs.versions import compute_rules_version


@dataclass
class ReextractSummary:
    """What one re-extraction did (or, in a dry run, would do)."""

    run_id: str
    rules_version: str
    dry_run: bool
    selected: list[str] = field(default_factory=list)
    changed_docs: list[str] = field(default_factory=list)
    repaired_cache: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    diffs: list[TableDiff] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    def diff_lines(self) -> dict[str, str]:
        """Per table: ``+added −removed ~changed in N documents``."""
        return summarize(self.diffs)

    def report(self) -> dict[str, Any]:
        """The summary as plain data (JSON-ready), as the CLI prints it: the diff by its lines."""
        plain = {f.name: getattr(self, f.name) for f in fields(self)
                 if f.name not in ("diffs", "failed")}
        return {**plain, "failed": [asdict(f) for f in self.failed], "ok": self.ok,
                "diff_lines": self.diff_lines()}


def select_documents(
    documents: list[dict[str, Any]], rules_version: str, *, doc_ids: list[str] | None = None,
    since: datetime | None = None, all_docs: bool = False,
) -> list[dict[str, Any]]:
    """The ``documents`` rows to re-extract.

    Named documents (a full id or a unique prefix) are always taken; otherwise those ingested
    since ``since`` and, unless ``all_docs``, only those made with another rules version. The
    longest documents come first, so no worker starts a long one while the others finish (see
    :func:`fsfdocs.discovery.largest_first`).
    """
    rows = [d for d in documents if d.get("status", "ok") == "ok"]
    if doc_ids:
        wanted = [p.lower() for p in doc_ids]
        picked = [d for d in rows if any(d["doc_id"].startswith(p) for p in wanted)]
        missing = [p for p in wanted if not any(d["doc_id"].startswith(p) for d in rows)]
        if missing:
            raise KeyError(f"no ingested document with id {', '.join(missing)}")
        return _longest_first(picked)
    if since is not None:
        rows = [d for d in rows if d["ingested_at"] >= since]
    if not all_docs:
        rows = [d for d in rows if d.get("rules_version") != rules_version]
    return _longest_first(rows)


def _documents(store: Store, doc_ids: list[str] | None) -> list[dict[str, Any]]:
    """The ``documents`` rows, only those with an id starting with one of ``doc_ids`` if given
    (picked in Arrow: re-extracting one document must not cost more in a larger store)."""
    table = store.read("documents")
    if doc_ids:
        ids = table.column("doc_id")
        mask = pc.starts_with(ids, doc_ids[0].lower())
        for prefix in doc_ids[1:]:
            mask = pc.or_(mask, pc.starts_with(ids, prefix.lower()))
        table = table.filter(mask)
    return table.to_pylist()


def _longest_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda d: (-(d.get("page_count") or 0), d["doc_id"]))


@flow(name="fsfdocs-reextract", task_runner=ThreadPoolTaskRunner(max_workers=16))
def reextract_flow(
    curated_dir: str = "data/curated",
    interim_dir: str = "data/interim",
    doc_ids: list[str] | None = None,
    since: datetime | None = None,
    all_docs: bool = False,
    dry_run: bool = False,
    workers: int = 0,
    timeout_s: float = Limits.timeout_s,
    memory_mb: int = Limits.memory_mb,
    lock_timeout_s: float = 600.0,
    max_in_flight: int = 64,
    slots: int = 0,
    max_batch: int = 8,
    workers_from: int = 100,
) -> ReextractSummary:
    """Re-run extraction for stale (or chosen) documents from the parse cache.

    Batches, ``slots`` and ``max_in_flight`` work as in :func:`flows.ingest.ingest_flow`.
    Documents are extracted in the extraction worker processes when they are up (the command
    service keeps them) or when at least ``workers_from`` documents are chosen and the tasks run
    in this process (their start then pays for itself); otherwise in the tasks' threads (see
    :func:`flows.tasks.reextract_batch`).
    """
    logger = get_run_logger()
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    rules_version = compute_rules_version().version
    summary = ReextractSummary(new_run_id(started), rules_version, dry_run)
    store = Store(curated_dir)
    workers = workers or os.cpu_count() or 1
    limits = Limits(timeout_s=timeout_s, memory_mb=memory_mb)

    with store.lock(timeout_s=lock_timeout_s):
        chosen = select_documents(
            _documents(store, doc_ids), rules_version,
            doc_ids=doc_ids, since=since, all_docs=all_docs,
        )
        summary.selected = [d["doc_id"] for d in chosen]
        logger.info("re-extracting %d documents (rules %s)", len(chosen), rules_version)
        if len(chosen) >= workers_from and _tasks_run_here():
            extraction_runner(workers, limits, start=True)

        def submit(batch: list[dict[str, Any]]) -> Any:
            return reextract_documents_task.submit(
                [(d["source_path"], d["doc_id"]) for d in batch],
                batch_label([d["file_name"] for d in batch]), interim_dir, curated_dir, workers,
                limits,
            )

        def record(doc_row: dict[str, Any], outcome: Reextraction | Exception) -> None:
            if isinstance(outcome, Exception):
                summary.failed.append(
                    failure_from_exception(doc_row["source_path"], doc_row["doc_id"], outcome)
                )
                return
            res = outcome.result
            if res.cache_status != "cache":
                summary.repaired_cache.append(doc_row["doc_id"])
                logger.warning("%s: parse cache entry was %s; re-parsed and cached again",
                               doc_row["file_name"], "corrupt" if res.cache_status == "repaired"
                               else "missing")
            summary.diffs += outcome.diffs
            changed = outcome.changed
            if changed:
                summary.changed_docs.append(res.doc_id)
            if dry_run or (not changed and doc_row.get("rules_version") == rules_version):
                return  # nothing to write: an unchanged document is not touched
            tables = dict(res.tables)
            tables["documents"] = [
                {**doc_row, "rules_version": rules_version, "run_id": summary.run_id}
            ]
            if changed:  # keep what is replaced; a mere rules-version restamp needs no history
                store.snapshot_history(summary.run_id, res.doc_id, outcome.replaced)
            errors = store.replace_document_rows(
                res.doc_id, doc_row["doc_type"], doc_row["year"], tables,
                run_id=summary.run_id, rules_version=rules_version, report_errors=False,
            )
            if errors:
                summary.failed.append(Failure(doc_row["source_path"], res.doc_id, "write",
                                              "SchemaError", "; ".join(errors)[:2000]))
                return
            store.append("extraction_diffs",
                         [r for d in outcome.diffs for r in d.rows(summary.run_id)])

        if extraction_runner(workers, limits) is None:
            batches = guided_batches(chosen, slots or workers, max_batch)
        else:  # the extraction workers balance the documents of every batch handed to them
            batches = fixed_batches(chosen, max_batch)
        for doc_row, outcome in run_in_batches(submit, batches, max_in_flight):
            record(doc_row, outcome)

        summary.seconds = time.perf_counter() - t0
        wrote = summary.changed_docs or any(
            d.get("rules_version") != rules_version for d in chosen
        )
        # A dry run, or a run that found nothing to change, leaves the store exactly as it was.
        if not dry_run and (wrote or summary.failed):
            if summary.failed:
                occurred = datetime.now(UTC)
                store.append("errors", [
                    {**vars(f), "occurred_at": occurred, "run_id": summary.run_id}
                    for f in summary.failed
                ])
            store.append("runs", [run_record(
                summary.run_id, "reextract", started, new=len(summary.changed_docs),
                skipped=len(chosen) - len(summary.changed_docs) - len(summary.failed),
                failed=len(summary.failed), pages=0, ocr_pages=0,
                rules_version=rules_version, duration_s=summary.seconds,
            )])
    return summary


def _tasks_run_here() -> bool:
    """Whether this flow run's tasks run in threads of this process (the ``local`` runner)."""
    context = FlowRunContext.get()
    return context is not None and isinstance(context.task_runner, ThreadPoolTaskRunner)


def run_reextract(runner: str = "local", dask_address: str | None = None,
                  keep_workers: bool = False, **params: Any) -> ReextractSummary:
    """Run :func:`reextract_flow` and stop its worker processes afterwards (unless
    ``keep_workers``, as in :func:`flows.ingest.run_ingest`).

    ``runner`` and ``dask_address`` choose where the per-document tasks run (:mod:`flows.runners`).
    """
    from flows.runners import make_task_runner
    from flows.temporary_api import flow_api

    choice = make_task_runner(runner, params.pop("workers", 0), dask_address)
    try:
        with flow_api():
            return choice.configure(reextract_flow)(
                workers=choice.pool_workers,
                **{"max_in_flight": choice.in_flight, "slots": choice.slots, **params},
            )
    finally:
        if not keep_workers:
            close_shared_runners()
