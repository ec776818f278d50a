"""Choosing where the per-document tasks of a flow run: threads, processes or a Dask cluster.

``local``      Prefect's thread pool; each task hands its document to the process-wide pebble pool
               of ``workers`` isolated processes (the default: one per CPU core).
``processes``  Prefect's process pool of ``workers`` processes; each runs its documents in one
               isolated child of its own.
``dask``       prefect-dask's ``DaskTaskRunner``: a local cluster of ``workers`` single-threaded
               worker processes, or the existing cluster at ``dask_address``.

In every case only the per-document work (parse, extract) leaves the flow process; the results
come back to it and it alone writes the store.

Dask worker processes are daemonic by default and a daemonic process cannot start children, but
the per-document isolation (:mod:`fsfdocs.isolation`) is a child process. The local cluster made
here therefore starts its workers with ``distributed.worker.daemon: False`` so every Dask worker
keeps the same time and memory limits as a local run; on an existing cluster whose workers are
daemonic, the task runs the document in the worker itself and relies on Dask's own per-worker
memory limit (see :func:`flows.tasks.process_document`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, TypeVar

from prefect import Flow
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from flows.tasks import extraction_runner
from flows.temporary_api import plain_http_ca_file
from fsfdocs.isolation import Limits, shared_runner
from fsfdocs.processing import warm_up

RunnerKind = Literal["local", "processes", "dask"]
RUNNER_KINDS: tuple[str, ...] = ("local", "processes", "dask")

R = TypeVar("R")


@dataclass(frozen=True)
class RunnerChoice:
    """A flow's task runner and the size of the per-process isolated pool its tasks should use."""

    task_runner: TaskRunner[Any]
    pool_workers: int  # processes of the pebble pool each task-executing process starts
    description: str
    kind: str = "local"
    in_flight: int = 64  # tasks a flow keeps submitted at once (bounds the results held)
    slots: int = 1  # tasks that run at once: sizes the document batches (an estimate on a cluster)
    threads: int = 0  # for ``local``: the size of the task runner's thread pool

    def configure(self, flow: Flow[..., R]) -> Flow[..., R]:
        """``flow`` with this choice's task runner.

        A thread pool is made once per flow and size and reused: Prefect runs each flow run with
        a copy of the flow's task runner, and configuring a flow again builds its parameter
        schema again (10-25 ms a run, a tenth of a warm re-extraction)."""
        if self.threads:
            return _with_thread_pool(flow, self.threads)
        return flow.with_options(task_runner=self.task_runner)

    def prestart_pool(self, limits: Limits, extraction: bool = False) -> None:
        """For ``local`` (tasks in this process's threads): spawn and warm the isolated pool the
        tasks will use now, so its start overlaps with the flow's own start; with ``extraction``
        also the pool that re-extracts from the caches (see :func:`flows.tasks.extraction_runner`;
        without it, re-extraction runs in the tasks' threads)."""
        if self.kind == "local":
            shared_runner(self.pool_workers, limits, warmup=warm_up).start()
            if extraction:
                extraction_runner(self.pool_workers, limits, start=True)


@lru_cache(maxsize=16)
def _with_thread_pool(flow: Flow[..., R], max_workers: int) -> Flow[..., R]:
    return flow.with_options(task_runner=ThreadPoolTaskRunner(max_workers=max_workers))


def resolve_workers(workers: int) -> int:
    """``workers`` or, for 0, the number of CPU cores."""
    return workers if workers > 0 else (os.cpu_count() or 1)


def dask_cluster_kwargs(workers: int, memory_mb: int | None = None) -> dict[str, Any]:
    """``LocalCluster`` arguments: ``workers`` single-threaded processes on 127.0.0.1, no dashboard.

    ``memory_mb`` sets Dask's per-worker memory limit (the nanny restarts a worker past it);
    by default Dask divides the machine's memory between the workers.
    """
    kwargs: dict[str, Any] = {
        "n_workers": workers,
        "threads_per_worker": 1,
        "processes": True,
        "host": "127.0.0.1",
        "dashboard_address": None,
    }
    if memory_mb:
        kwargs["memory_limit"] = f"{memory_mb}MiB"
    return kwargs


#: Dask settings of the local cluster made here (read by the scheduler in this process and passed
#: on to each worker by its nanny). Workers may have children (the per-document isolation), and
#: Dask's background monitoring, made for its dashboard (which a local cluster here does not
#: start), is slowed down: with the defaults an idle 2-worker cluster used 19 % of a core
#: (statistical profiler at 100 Hz, event-loop health ticks at 50 Hz, system monitor at 2 Hz,
#: memory monitor at 10 Hz); with these 2.4 %. On a 2-core machine that CPU was taken from the
#: documents. The memory limit is still enforced, within a second instead of 100 ms.
LOCAL_CLUSTER_CONFIG: dict[str, Any] = {
    "distributed.worker.daemon": False,
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
}


def configure_local_dask() -> None:
    """Apply :data:`LOCAL_CLUSTER_CONFIG` to this process's Dask configuration.

    The nanny reads ``distributed.worker.daemon`` each time it (re)starts a worker, so the
    settings are made for the whole flow process, not only around the cluster's creation.
    """
    import dask

    dask.config.set(LOCAL_CLUSTER_CONFIG)


def current_api_url() -> str | None:
    """The Prefect API this flow run talks to, also when it is the temporary server."""
    from prefect.context import FlowRunContext
    from prefect.settings import PREFECT_API_URL

    ctx = FlowRunContext.get()
    client = getattr(ctx, "client", None) if ctx else None
    url = getattr(client, "api_url", None) or PREFECT_API_URL.value()
    return str(url).rstrip("/") if url else None


def worker_environment(api_url: str | None) -> dict[str, str]:
    """Environment for local Dask workers: this run's Prefect API and, when it is plain
    ``http://`` (the local server), a one-certificate CA file (:func:`plain_http_ca_file`): no
    TLS handshake is ever made with it, so no configured CA file is ever used."""
    if not api_url:
        return {}
    env = {"PREFECT_API_URL": api_url}
    if api_url.startswith("http://"):
        env["PREFECT_API_SSL_CERT_FILE"] = plain_http_ca_file()
    return env


def local_dask_cluster(**kwargs: Any) -> Any:
    """A ``LocalCluster`` whose workers may start children and reach this run's Prefect API.

    Called by ``DaskTaskRunner`` when the flow run starts. Without ``PREFECT_API_URL`` each
    worker would try to start a temporary Prefect server of its own; the workers are given the
    address of the one the flow uses instead (see :func:`worker_environment`).
    """
    from distributed import LocalCluster

    configure_local_dask()
    env = {**worker_environment(current_api_url()), **(kwargs.pop("env", None) or {})}
    return LocalCluster(env=env, **kwargs)


def make_task_runner(
    runner: str = "local", workers: int = 0, dask_address: str | None = None,
    dask_memory_mb: int | None = None,
) -> RunnerChoice:
    """The task runner for ``runner`` (``local``, ``processes`` or ``dask``) with ``workers``.

    ``workers`` 0 means one per CPU core. ``dask_address`` (``tcp://host:8786``) connects to an
    existing Dask scheduler instead of starting a local cluster; it implies ``runner="dask"``.
    """
    if dask_address:
        runner = "dask"
    if runner not in RUNNER_KINDS:
        raise ValueError(f"unknown runner {runner!r}: choose one of {', '.join(RUNNER_KINDS)}")
    n = resolve_workers(workers)
    in_flight = max(16, 4 * n)  # enough queued work to keep every worker busy
    if runner == "local":
        # Threads only wait on the pool; a few more than the pool keeps every process busy.
        threads = max(4, 2 * n)
        return RunnerChoice(ThreadPoolTaskRunner(max_workers=threads), n,
                            f"local: {n} isolated worker processes", "local", in_flight, n,
                            threads)
    if runner == "processes":
        return RunnerChoice(ProcessPoolTaskRunner(max_workers=n), 1,
                            f"processes: {n} Prefect task processes", "processes", in_flight, n)
    from prefect_dask import DaskTaskRunner

    if dask_address:
        return RunnerChoice(DaskTaskRunner(address=dask_address), 1,
                            f"dask: cluster at {dask_address}", "dask", 1024, n)
    return RunnerChoice(
        DaskTaskRunner(cluster_class=local_dask_cluster,
                       cluster_kwargs=dask_cluster_kwargs(n, dask_memory_mb)), 1,
        f"dask: local cluster of {n} worker processes", "dask", in_flight, n,
    )
