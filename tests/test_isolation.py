"""Worker isolation: a hanging parser is stopped, a memory hog fails alone, results come back."""

from __future__ import annotations

import os
import time

import pytest

from fsfdocs.isolation import IsolatedRunner, Limits, WorkerCrashed, WorkerTimeout
from tests.conftest import TEST_DATA


def _square(x: int) -> int:
    return x * x


def _eat_memory() -> int:
    block = bytearray(3 * 1024**3)  # 3 GiB, over the 1 GiB limit below
    return len(block)


def _pid() -> int:
    return os.getpid()


def test_runs_in_another_process_and_returns_result() -> None:
    with IsolatedRunner(1, Limits(timeout_s=30, memory_mb=2048)) as runner:
        assert runner.run(_square, 7) == 49
        assert runner.run(_pid) != os.getpid()


def test_memory_limit_fails_the_call_not_the_pool() -> None:
    with IsolatedRunner(1, Limits(timeout_s=30, memory_mb=1024)) as runner:
        with pytest.raises(MemoryError):
            runner.run(_eat_memory)
        assert runner.run(_square, 3) == 9  # the worker pool still serves


def test_hanging_pdf_is_stopped_by_the_time_limit() -> None:
    """A real PDF that keeps the parser busy for minutes is stopped after the limit."""
    from fsfdocs.parse import parse_pdf

    hang = TEST_DATA / "hang" / "slow-content.pdf"
    limits = Limits(timeout_s=3, memory_mb=2048)
    with IsolatedRunner(1, limits) as runner:
        t0 = time.monotonic()
        with pytest.raises(WorkerTimeout, match="slow-content.pdf: stopped after 3 s"):
            runner.run(parse_pdf, str(hang), label=hang.name)
        assert time.monotonic() - t0 < 30  # stopped, not waited out
        assert runner.run(_square, 4) == 16  # a fresh worker replaced the stopped one


def _crash_or_square(x: int) -> int:
    if x < 0:
        os._exit(3)  # the worker process dies mid-call
    return x * x


def test_run_all_runs_every_call_in_a_worker_and_returns_each_outcome_in_order() -> None:
    with IsolatedRunner(2, Limits(timeout_s=30, memory_mb=2048)) as runner:
        pids = runner.run_all(_pid, [((), f"call {i}") for i in range(8)])
        assert os.getpid() not in pids
        out = runner.run_all(_crash_or_square, [((3,), "three"), ((-1,), "dies"), ((4,), "four")])
        assert out[0] == 9 and out[2] == 16
        assert isinstance(out[1], WorkerCrashed) and str(out[1]).startswith("dies:")
        assert runner.run(_square, 5) == 25  # a fresh worker replaced the one that died
