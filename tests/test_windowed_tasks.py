"""``run_windowed``: a flow keeps a bounded number of documents in flight and sees every result."""

from __future__ import annotations

import time

import pytest
from prefect import flow, task
from prefect.task_runners import ThreadPoolTaskRunner

from flows.tasks import run_windowed

pytestmark = pytest.mark.slow


@task
def _square(x: int) -> int:
    time.sleep(0.02 * (x % 3))  # finish out of order
    if x == 7:
        raise ValueError("seven")
    return x * x


@flow(task_runner=ThreadPoolTaskRunner(max_workers=4))
def _windowed(n: int, window: int) -> tuple[dict[int, object], int]:
    results: dict[int, object] = {}
    in_flight: list[int] = []
    submitted = 0

    def submit(x: int):  # noqa: ANN202
        nonlocal submitted
        submitted += 1
        in_flight.append(submitted - len(results))
        return _square.submit(x)

    for x, future in run_windowed(submit, range(n), window):
        try:
            results[x] = future.result()
        except ValueError as exc:
            results[x] = str(exc)
    return results, max(in_flight)


def test_every_item_once_with_at_most_window_in_flight() -> None:
    results, most = _windowed(20, 3)
    assert results == {x: ("seven" if x == 7 else x * x) for x in range(20)}
    assert most == 3
