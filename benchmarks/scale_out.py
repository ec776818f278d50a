"""Scale-out benchmark: ingest a synthetic corpus through Dask with 1 and 2 workers.

The corpus is the text-layer PDFs of ``data/raw`` copied N times, each copy with its own
``/Subject`` Info field (pikepdf) so every file has its own hash and is parsed from scratch. The
scanned memo is left out: OCR at ~seconds per page would dominate and the goal here is the
runner's scaling, not OCR speed (see benchmarks/parse_speed.py for that).

For each worker count it reports documents/s, pages/s and the speed-up over 1 worker, the CPU
seconds used by each kind of process (documents, Dask workers, the flow process, the Prefect
server), and the peak RSS of each Dask worker (its process plus the isolated child that does the
parsing) at two corpus sizes, to show that memory per worker does not grow with the corpus.

Run: ``.venv/bin/python benchmarks/scale_out.py --docs 500`` (the goal is >= 1.8x from 1 to 2
workers; needs 2 free cores). Develop with ``--docs 20``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fsfdocs.settings import configure_environment  # noqa: E402

configure_environment()

import pikepdf  # noqa: E402
import psutil  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def text_layer_sources() -> list[Path]:
    """The corpus PDFs that have a text layer (the scanned memo is skipped: no OCR here)."""
    import pypdfium2 as pdfium

    out = []
    for path in sorted((ROOT / "data" / "raw").glob("*.pdf")):
        pdf = pdfium.PdfDocument(str(path))
        try:
            if pdf[0].get_textpage().get_text_range().strip():
                out.append(path)
        finally:
            pdf.close()
    return out


def make_corpus(folder: Path, n_docs: int) -> list[Path]:
    """``n_docs`` distinct PDFs in ``folder`` (made once, reused by later calls)."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = text_layer_sources()
    made = []
    for i in range(n_docs):
        src = sources[i % len(sources)]
        dst = folder / f"{src.stem}-copy{i:04d}.pdf"
        if not dst.exists():
            with pikepdf.open(src) as pdf:
                pdf.docinfo["/Subject"] = f"Syntetisk kopia {i} för skalningstest"
                pdf.save(dst)
            past = time.time() - 3600
            os.utime(dst, (past, past))
        made.append(dst)
    return made


class ProcessSampler:
    """Samples this process's descendants: peak RSS of each Dask worker (with its children)
    and the CPU seconds used by each kind of process, to show where a run's time goes.

    Sampling is kept cheap (one scan of the process table per second): in a 2-worker run it
    competes for the same two cores as the work it measures.
    """

    def __init__(self, runner: str, interval_s: float = 1.0) -> None:
        self.runner = runner
        self.interval_s = interval_s
        self.peak: dict[int, int] = {}
        self.cpu: dict[int, float] = {}
        self._me = psutil.Process()
        self._roles: dict[int, str] = {}
        self._cpu0 = _cpu_s(self._me)
        # Processes already running (the Prefect server) count only what they use from now on.
        self._before = {p.pid: _cpu_s(p) for p in self._descendants()}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _descendants(self) -> list[psutil.Process]:
        try:
            return self._me.children(recursive=True)
        except psutil.Error:
            return []

    def _sample(self) -> None:
        procs = self._descendants()
        rss: dict[int, int] = {}
        parent: dict[int, int] = {}
        for proc in procs:
            try:
                if proc.pid not in self._roles:
                    self._roles[proc.pid] = _role(proc, self._me.pid, self.runner)
                self.cpu[proc.pid] = _cpu_s(proc) - self._before.get(proc.pid, 0.0)
                rss[proc.pid] = proc.memory_info().rss
                parent[proc.pid] = proc.ppid()
            except psutil.Error:
                continue
        for pid, role in self._roles.items():
            if role == "dask worker" and pid in rss:
                total = rss[pid] + sum(r for child, r in rss.items() if parent.get(child) == pid)
                self.peak[pid] = max(self.peak.get(pid, 0), total)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._sample()

    def cpu_by_role(self) -> dict[str, float]:
        """CPU seconds per kind of process during the run (the flow process included)."""
        out: dict[str, float] = {"flow process": _cpu_s(self._me) - self._cpu0}
        for pid, seconds in self.cpu.items():
            role = self._roles[pid]
            out[role] = out.get(role, 0.0) + seconds
        return {k: round(v, 1) for k, v in sorted(out.items())}

    def __enter__(self) -> ProcessSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _cpu_s(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return t.user + t.system


def _role(proc: psutil.Process, root_pid: int, runner: str) -> str:
    """What a descendant of the benchmark process is, from its command line and depth."""
    cmd = " ".join(proc.cmdline())
    if "uvicorn" in cmd or ("prefect" in cmd and "server" in cmd):
        return "prefect server"
    if "spawn_main" not in cmd:
        return "other"
    depth, parent = 0, proc
    while parent is not None and parent.pid != root_pid:
        parent, depth = parent.parent(), depth + 1
    # A local Dask cluster's nannies live in this process; its workers are its children.
    roles = {"dask": "dask worker", "processes": "task process"}
    if depth == 1 and runner in roles:
        return roles[runner]
    return "document worker"  # the isolated process that parses and extracts


def ingest_once(raw: Path, work: Path, workers: int, runner: str, max_batch: int) -> dict:
    """Ingest ``raw`` into a fresh store with ``workers``; timings and peak RSS per worker."""
    from flows.ingest import run_ingest

    for sub in ("curated", "interim"):
        shutil.rmtree(work / sub, ignore_errors=True)
    with ProcessSampler(runner) as mem:
        t0 = time.perf_counter()
        summary = run_ingest(raw_dir=str(raw), curated_dir=str(work / "curated"),
                             interim_dir=str(work / "interim"), workers=workers, runner=runner,
                             max_batch=max_batch)
        wall = time.perf_counter() - t0
    docs = len(summary.new)
    peaks = sorted(mem.peak.values())
    return {
        "workers": workers, "docs": docs, "failed": len(summary.failed), "pages": summary.pages,
        "wall_s": round(wall, 2), "flow_s": round(summary.seconds, 2),
        "docs_per_s": round(docs / summary.seconds, 3), "pages_per_s": round(
            summary.pages / summary.seconds, 2),
        "peak_rss_mb_per_worker": [round(p / 2**20) for p in peaks],
        "cpu_s_by_process": mem.cpu_by_role(),
    }


def main() -> None:
    """Run the benchmark and print one JSON object."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=500, help="synthetic corpus size (>= 500 goal)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--runner", default="dask", choices=["dask", "local", "processes"])
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "fsfdocs-scale")
    ap.add_argument("--max-batch", type=int, default=8,
                    help="most documents per task (the flows' default; 1: a task per document)")
    ap.add_argument("--memory-sizes", action="store_true",
                    help="also measure peak RSS per worker at half the corpus size")
    args = ap.parse_args()

    raw = args.work / f"raw-{args.docs}"
    made = make_corpus(args.work / "pdfs", args.docs)
    shutil.rmtree(raw, ignore_errors=True)
    raw.mkdir(parents=True)
    for path in made:
        os.link(path, raw / path.name)

    results = [ingest_once(raw, args.work, w, args.runner, args.max_batch) for w in args.workers]
    base = results[0]["docs_per_s"]
    for r in results:
        r["speedup"] = round(r["docs_per_s"] / base, 2)
    report: dict = {"runner": args.runner, "docs": args.docs, "max_batch": args.max_batch,
                    "cpu_count": os.cpu_count(), "runs": results}
    if args.memory_sizes:
        half = args.work / f"raw-{args.docs // 2}"
        shutil.rmtree(half, ignore_errors=True)
        half.mkdir(parents=True)
        for path in made[: args.docs // 2]:
            os.link(path, half / path.name)
        small = ingest_once(half, args.work, max(args.workers), args.runner, args.max_batch)
        report["memory_by_corpus_size"] = {
            str(args.docs // 2): small["peak_rss_mb_per_worker"],
            str(args.docs): results[-1]["peak_rss_mb_per_worker"],
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
