"""End-to-end ingest and re-extraction timings on the bundled corpus, and Prefect's share of them.

Each measurement runs in a fresh subprocess (cold caches, cold imports, the Prefect server started
as the command would start it):

- ``direct``: the same per-document work (isolated workers, parse, extract, store writes) with no
  Prefect at all — the baseline for Prefect's overhead.
- ``ingest``: ``run_ingest`` (the Prefect flow behind ``fsfdocs ingest``), cold parse cache.
- ``reextract``: ``run_reextract(all_docs=True)`` on the store just ingested (parse cache warm).
- ``reextract1``: re-extraction of one document.
- ``work``: the per-document work alone, sequentially in one process without Prefect or worker
  start-up: cold (parse, OCR, NER, rules) and then from the parse and NER caches (rules only).

Both flows are timed with Prefect's temporary server (the embedded default: started per command),
against an already running local server (``PREFECT_API_URL``), and as the ``fsfdocs ingest`` /
``fsfdocs reextract`` commands run by a running ``fsfdocs serve`` (its command socket, ADR 0010;
each re-extraction there is the median of five runs).

    .venv/bin/python benchmarks/ingest_speed.py [--raw data/raw]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEAT = 5  # runs of each re-extraction through ``fsfdocs serve`` (the median is reported)

CHILD = r"""
import json, sys, time
mode, raw, curated, interim = sys.argv[1:5]
from fsfdocs.settings import configure_environment
configure_environment()
if mode == "ingest" or mode.startswith("reextract"):
    from flows.temporary_api import prelaunch_temporary_server
    prelaunch_temporary_server()  # as the fsfdocs commands do, before Prefect is imported
if mode == "direct":
    from datetime import UTC, datetime
    from fsfdocs.discovery import discover_raw_files, largest_first
    from fsfdocs.isolation import IsolatedRunner, Limits
    from fsfdocs.processing import process_document, warm_up
    from fsfdocs.store import Store
    from concurrent.futures import ThreadPoolExecutor
    store = Store(curated)
    files = largest_first(discover_raw_files(raw).files)  # in the flow's order
    with IsolatedRunner(2, Limits(), warmup=warm_up) as runner, store.lock():
        with ThreadPoolExecutor(2) as pool:
            futures = [pool.submit(runner.run, process_document, str(f.path), f.sha256, interim)
                       for f in files]
            for fut in futures:
                res = fut.result()
                row = {"doc_id": res.doc_id, "file_name": res.file_name,
                       "source_path": res.source_path, **res.metadata, "status": "ok",
                       "pipeline_version": "bench", "rules_version": "bench",
                       "ingested_at": datetime.now(UTC), "run_id": "bench",
                       "first_seen": datetime.now(UTC), "last_seen": datetime.now(UTC)}
                store.replace_document_rows(res.doc_id, res.metadata["doc_type"],
                                            res.metadata["year"],
                                            {**res.tables, "documents": [row]}, run_id="bench")
elif mode == "work":  # the per-document work alone, in this process: cold, then from the caches
    from fsfdocs.discovery import discover_raw_files, largest_first
    from fsfdocs.processing import process_document, warm_up
    warm_up()
    files = largest_first(discover_raw_files(raw).files)  # in the flow's order
    times = {}
    for phase in ("cold", "cached"):
        t = time.perf_counter()
        for f in files:
            process_document(str(f.path), f.sha256, interim)
        times[phase] = time.perf_counter() - t
    print(json.dumps(times))
    sys.exit(0)
elif mode == "ingest":
    from flows.ingest import run_ingest
    s = run_ingest(raw_dir=raw, curated_dir=curated, interim_dir=interim, workers=2)
    assert s.ok, s.failed
elif mode.startswith("reextract"):
    from flows.reextract import run_reextract
    from fsfdocs.store import Store
    ids = None
    if mode == "reextract1":
        ids = [Store(curated).read("documents").column("doc_id")[0].as_py()]
    s = run_reextract(curated_dir=curated, interim_dir=interim, all_docs=True, doc_ids=ids,
                      workers=2)
    assert s.ok, s.failed
"""


def _run(mode: str, raw: Path, work: Path, env: dict[str, str]) -> float:
    """Seconds from starting the interpreter to its exit (server stop included), as a user
    of the command would wait."""
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(raw), str(work / "curated"), str(work / "interim")],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )
    wall = time.perf_counter() - t0
    if out.returncode:
        raise RuntimeError(f"{mode} failed:\n{out.stderr[-3000:]}")
    return wall


def measure(raw: Path, env: dict[str, str]) -> dict[str, float]:
    """Cold direct run, cold flow ingest, then re-extraction of all and of one document."""
    out = {}
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        out["direct"] = _run("direct", raw, Path(a), env)
        out["ingest"] = _run("ingest", raw, Path(b), env)
        out["reextract"] = _run("reextract", raw, Path(b), env)
        out["reextract1"] = _run("reextract1", raw, Path(b), env)
    return out


def _cli(args: list[str], env: dict[str, str]) -> float:
    """Seconds of one ``fsfdocs`` command, start to exit; it must have run in the service."""
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "fsfdocs.cli", *args], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if out.returncode or "run by the fsfdocs service" not in out.stderr:
        raise RuntimeError(f"fsfdocs {args[0]} did not run in the service:\n{out.stderr[-3000:]}")
    return wall


def measure_service(raw: Path, env: dict[str, str]) -> dict[str, float]:
    """The commands as a user runs them while ``fsfdocs serve`` runs: cold ingest, then
    re-extraction of all and of one document (the direct baseline as in :func:`measure`)."""
    from fsfdocs.service import socket_path
    from fsfdocs.store import Store

    out = {}
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        out["direct"] = _run("direct", raw, Path(a), env)
        serve = subprocess.Popen(
            # a schedule that does not fire during the benchmark
            [sys.executable, "-m", "fsfdocs.cli", "serve", "--cron", "0 0 1 1 *", "--raw", b],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 120
            while not socket_path(env["PREFECT_HOME"]).exists():
                if serve.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("fsfdocs serve did not open its command socket")
                time.sleep(0.1)
            where = ["--curated", f"{b}/curated", "--interim", f"{b}/interim"]
            out["ingest"] = _cli(["ingest", "--raw", str(raw), *where], env)
            # A warm re-extraction takes a third of a second: the median of a few runs.
            out["reextract"] = statistics.median(
                _cli(["reextract", "--all", *where], env) for _ in range(REPEAT))
            one = Store(f"{b}/curated").read("documents").column("doc_id")[0].as_py()
            out["reextract1"] = statistics.median(
                _cli(["reextract", "--doc", one, *where], env) for _ in range(REPEAT))
        finally:
            serve.terminate()
            serve.wait(timeout=60)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raw", type=Path, default=ROOT / "data" / "raw")
    args = ap.parse_args()
    import pypdfium2 as pdfium

    pages = sum(len(pdfium.PdfDocument(str(p))) for p in args.raw.glob("*.pdf"))
    print(f"corpus: {len(list(args.raw.glob('*.pdf')))} PDFs, {pages} pages; 2 workers")

    base_env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    home = Path(tempfile.mkdtemp(prefix="bench-prefect-"))
    seed = ROOT / ".prefect" / "prefect.db"
    if seed.is_file():
        shutil.copy(seed, home / "prefect.db")
        (home / ".migrated").touch()
    base_env["PREFECT_HOME"] = str(home)
    with tempfile.TemporaryDirectory() as w:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, "work", str(args.raw), f"{w}/curated", f"{w}/interim"],
            cwd=ROOT, env=base_env, capture_output=True, text=True, check=True,
        )
    work = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"work alone, one process: cold {work['cold']:.1f} s, from the caches "
          f"{work['cached']:.2f} s ({work['cold'] / work['cached']:.0f}x)")
    results = {"temporary server": measure(args.raw, base_env)}

    from fsfdocs.prefect_server import LocalPrefectServer

    with LocalPrefectServer(home=home) as server:
        results["running server"] = measure(args.raw, {**base_env,
                                                       "PREFECT_API_URL": server.api_url})
    results["fsfdocs serve"] = measure_service(args.raw, base_env)

    print(f"{'':18} {'direct':>8} {'ingest':>8} {'prefect %':>9} {'reextract':>10} "
          f"{'speed-up':>9} {'1 doc':>7}")
    for name, r in results.items():
        overhead = (r["ingest"] - r["direct"]) / r["ingest"] * 100
        print(f"{name:18} {r['direct']:8.1f} {r['ingest']:8.1f} {overhead:8.0f}% "
              f"{r['reextract']:10.2f} {r['ingest'] / r['reextract']:8.1f}x "
              f"{r['reextract1']:7.2f}")
    print("seconds, wall clock, each in a fresh process (imports and worker start-up included;\n"
          "for `fsfdocs serve`, the command's own process while the service runs it)")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
