"""Re-extracting many documents: in the flow's threads or in the extraction worker processes.

    .venv/bin/python benchmarks/reextract_scale.py [--docs 200] [--raw data/raw]

Ingests ``--raw`` into a temporary store, then clones its documents (parse cache, NER cache and
``documents`` row under new ids, cycling through the real documents) until the store holds
``--docs``, and writes their rows with one re-extraction. Then times ``run_reextract(all_docs=
True)`` over all of them, in this one process with the temporary Prefect server up (median of
``--repeat`` runs each):

- ``threads``: the documents in the tasks' threads (``workers_from`` above the run's size), as a
  one-shot command of a small run does;
- ``workers, started by the run``: the run starts the extraction workers itself, as a one-shot
  command of ``workers_from`` (100) or more documents does, and stops them at its end;
- ``workers, warm``: the workers already up, as in ``fsfdocs serve``.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fsfdocs.settings import configure_environment  # noqa: E402

configure_environment()


def clone_documents(curated: Path, interim: Path, total: int) -> int:
    """Add clones of the store's documents (caches and ``documents`` rows) up to ``total``."""
    from fsfdocs.ner.cache import load_entities, save_entities
    from fsfdocs.parse.cache import load_parsed, save_parsed
    from fsfdocs.store import Store

    store = Store(curated)
    originals = store.read("documents").to_pylist()
    for i in range(total - len(originals)):
        row = originals[i % len(originals)]
        new_id = hashlib.sha256(f"{row['doc_id']}-{i}".encode()).hexdigest()
        parsed = load_parsed(row["doc_id"], interim)
        assert parsed is not None, row["file_name"]
        parsed.doc_id = new_id
        save_parsed(parsed, interim)
        save_entities(new_id, interim, load_entities(row["doc_id"], interim) or [])
        clone = {**row, "doc_id": new_id, "file_name": f"{i:05d}-{row['file_name']}",
                 "rules_version": "clone"}
        store.replace_document_rows(new_id, row["doc_type"], row["year"], {"documents": [clone]},
                                    run_id="clone")
    return len(store.read("documents"))


def timed(repeat: int, **params: Any) -> float:
    """Median seconds of ``run_reextract(all_docs=True, **params)``."""
    from flows.reextract import run_reextract

    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        summary = run_reextract(all_docs=True, **params)
        times.append(time.perf_counter() - t0)
        assert summary.ok and not summary.changed_docs, (summary.failed, summary.changed_docs)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--raw", type=Path, default=Path("data/raw"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from flows.ingest import run_ingest
    from flows.reextract import run_reextract
    from flows.runners import resolve_workers
    from flows.tasks import extraction_runner
    from fsfdocs.isolation import Limits, close_shared_runners

    with tempfile.TemporaryDirectory() as tmp:
        curated, interim = Path(tmp) / "curated", Path(tmp) / "interim"
        where = {"curated_dir": str(curated), "interim_dir": str(interim)}
        assert run_ingest(raw_dir=str(args.raw), **where).ok
        n = clone_documents(curated, interim, args.docs)
        assert run_reextract(**where).ok  # writes the clones' rows
        workers = resolve_workers(0)
        results = {
            "threads": timed(args.repeat, workers_from=n + 1, **where),
            "workers, started by the run": timed(args.repeat, workers_from=0, **where),
        }
        extraction_runner(workers, Limits(), start=True)
        try:
            results["workers, warm"] = timed(args.repeat, keep_workers=True, **where)
        finally:
            close_shared_runners()
    print(f"re-extraction of {n} documents (all unchanged), {workers} workers, "
          f"median of {args.repeat}:")
    for name, seconds in results.items():
        print(f"  {name:30} {seconds:6.2f} s  {n / seconds:6.1f} documents/s")


if __name__ == "__main__":
    main()
