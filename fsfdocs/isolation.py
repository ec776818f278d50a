"""Run a function in a worker process with a wall-clock and a memory limit.

Prefect's ``timeout_seconds`` cannot interrupt a blocking call in a thread, and a parser stuck in C
code ignores signals, so the work on each document runs in a pebble process pool: a worker that
exceeds its time is terminated and replaced, and ``RLIMIT_AS`` caps its address space so a
document that eats memory fails with ``MemoryError`` instead of taking the machine down.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import resource
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pebble import ProcessExpired, ProcessPool

T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    """Per-document limits: seconds of wall-clock time and MiB of address space."""

    timeout_s: float = 300.0
    memory_mb: int = 4096


class WorkerTimeout(RuntimeError):
    """The worker ran past its time limit and was terminated."""


class WorkerCrashed(RuntimeError):
    """The worker process died (killed, out of memory, segfault) before it returned."""


def _init_worker(memory_mb: int, warmup: Callable[[], None] | None) -> None:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if warmup is not None:  # imports and model loads, so they don't count against a document
        warmup()


class IsolatedRunner:
    """A pool of worker processes that runs one call at a time per worker, under :class:`Limits`.

    Use as a context manager; ``max_tasks`` recycles workers so memory cannot creep up over a
    long run; ``warmup`` runs once in each new worker, before its first call and outside the time
    limit.
    """

    def __init__(self, workers: int, limits: Limits, max_tasks: int = 25,
                 warmup: Callable[[], None] | None = None) -> None:
        self.limits = limits
        # Workers are spawned, not forked: the flow process runs threads (Prefect, its event
        # loop), and a fresh interpreter keeps the address-space limit meaningful.
        self._pool = ProcessPool(
            context=multiprocessing.get_context("spawn"),
            max_workers=max(1, workers),
            max_tasks=max_tasks,
            initializer=_init_worker,
            initargs=(limits.memory_mb, warmup),
        )

    def __enter__(self) -> IsolatedRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Spawn and warm the workers now instead of at the first call (returns at once)."""
        self._pool.schedule(os.getpid)  # pebble starts its workers with the first call

    def close(self) -> None:
        """Stop the workers (running calls are terminated)."""
        self._pool.stop()
        self._pool.join()

    def run(self, func: Callable[..., T], *args: Any, label: str = "") -> T:
        """Call ``func(*args)`` in a worker; raise :class:`WorkerTimeout` or :class:`WorkerCrashed`.

        An exception raised by ``func`` itself is re-raised here unchanged.
        """
        future = self._pool.schedule(func, args=args, timeout=self.limits.timeout_s)
        try:
            return future.result()
        except concurrent.futures.TimeoutError as exc:
            raise WorkerTimeout(
                f"{label}: stopped after {self.limits.timeout_s:g} s (per-document time limit)"
            ) from exc
        except ProcessExpired as exc:
            raise WorkerCrashed(
                f"{label}: the worker process died (exit code {exc.exitcode}); "
                f"memory limit {self.limits.memory_mb} MiB"
            ) from exc


_SHARED: dict[tuple[int, Limits, Callable[[], None] | None], IsolatedRunner] = {}


def shared_runner(workers: int, limits: Limits,
                  warmup: Callable[[], None] | None = None) -> IsolatedRunner:
    """The process-wide runner for these settings, created on first use.

    Tasks running in threads of one process share it; each process of a distributed runner
    (a Dask worker) gets its own.
    """
    key = (workers, limits, warmup)
    if key not in _SHARED:
        _SHARED[key] = IsolatedRunner(workers, limits, warmup=warmup)
    return _SHARED[key]


def close_shared_runners() -> None:
    """Stop every runner made by :func:`shared_runner` in this process."""
    while _SHARED:
        _SHARED.popitem()[1].close()
