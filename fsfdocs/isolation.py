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
from collections.abc import Callable, Sequence
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
        return self._result(self._pool.schedule(func, args=args, timeout=self.limits.timeout_s),
                            label)

    def run_all(self, func: Callable[..., T], calls: Sequence[tuple[tuple[Any, ...], str]]
                ) -> list[T | Exception]:
        """Call ``func(*args)`` for every ``(args, label)`` of ``calls`` at once, spread over the
        workers; each call's result, or the exception it raised (as :meth:`run` raises it)."""
        futures = [self._pool.schedule(func, args=args, timeout=self.limits.timeout_s)
                   for args, _ in calls]
        out: list[T | Exception] = []
        for future, (_, label) in zip(futures, calls, strict=True):
            try:
                out.append(self._result(future, label))
            except Exception as exc:  # noqa: BLE001 - this call's failure, returned
                out.append(exc)
        return out

    def _result(self, future: concurrent.futures.Future[T], label: str) -> T:
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


_SHARED: dict[tuple[int, Limits, Callable[[], None] | None, int], IsolatedRunner] = {}


def shared_runner(workers: int, limits: Limits, warmup: Callable[[], None] | None = None,
                  max_tasks: int = 25) -> IsolatedRunner:
    """The process-wide runner for these settings, created on first use.

    Tasks running in threads of one process share it; each process of a distributed runner
    (a Dask worker) gets its own.
    """
    key = (workers, limits, warmup, max_tasks)
    if key not in _SHARED:
        _SHARED[key] = IsolatedRunner(workers, limits, max_tasks=max_tasks, warmup=warmup)
    return _SHARED[key]


def started_runner(workers: int, limits: Limits, warmup: Callable[[], None] | None = None,
                   max_tasks: int = 25) -> IsolatedRunner | None:
    """The runner :func:`shared_runner` made for these settings; None when there is none yet."""
    return _SHARED.get((workers, limits, warmup, max_tasks))


def close_shared_runners() -> None:
    """Stop every runner made by :func:`shared_runner` in this process."""
    while _SHARED:
        _SHARED.popitem()[1].close()
