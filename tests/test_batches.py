"""Document batches of the flows' tasks: guided sizes, per-document outcomes, crash retries."""

from __future__ import annotations

import pytest

from flows.reextract import select_documents
from flows.tasks import batch_label, batch_outcomes, fixed_batches, guided_batches, run_each
from fsfdocs.isolation import WorkerCrashed, WorkerTimeout


def test_guided_batches_shrink_to_single_documents_and_keep_every_item_in_order() -> None:
    items = list(range(500))
    batches = list(guided_batches(items, slots=2, max_size=8))
    sizes = [len(b) for b in batches]
    assert [x for b in batches for x in b] == items
    assert sizes[0] == 8 and max(sizes) == 8
    assert sizes == sorted(sizes, reverse=True)  # never grows
    assert sizes[-8:] == [1] * 8  # the tail is one document a task
    assert len(batches) < len(items) / 4  # far fewer tasks than documents


@pytest.mark.parametrize(("n", "slots", "max_size"), [(8, 2, 8), (4, 1, 8), (50, 2, 1)])
def test_small_runs_or_max_size_one_get_a_task_per_document(n: int, slots: int,
                                                             max_size: int) -> None:
    assert list(guided_batches(list(range(n)), slots, max_size)) == [[x] for x in range(n)]


def test_batch_label_names_the_first_file_and_how_many_more() -> None:
    assert batch_label(["a.pdf"]) == "a.pdf"
    assert batch_label(["a.pdf", "b.pdf", "c.pdf"]) == "a.pdf (+2 more)"


class _Flaky:
    """Work that fails according to a script per document: ``crash``, ``timeout``, ``error``."""

    def __init__(self, script: dict[str, list[str]]) -> None:
        self.script = script
        self.calls: list[str] = []

    def __call__(self, path: str, doc_id: str, suffix: str) -> str:
        self.calls.append(path)
        step = self.script.get(path, []).pop(0) if self.script.get(path) else "ok"
        if step == "crash":
            raise WorkerCrashed(f"{path}: the worker process died")
        if step == "timeout":
            raise WorkerTimeout(f"{path}: stopped")
        if step == "error":
            raise ValueError(f"{path}: not a PDF")
        return f"{doc_id}{suffix}"


def test_run_each_gives_one_outcome_per_document_and_retries_only_a_crash_once() -> None:
    work = _Flaky({"crash-once": ["crash"], "crash-twice": ["crash", "crash"],
                   "slow": ["timeout"], "bad": ["error"]})
    docs = [("good", "1"), ("crash-once", "2"), ("crash-twice", "3"), ("slow", "4"),
            ("bad", "5"), ("last", "6")]
    out = run_each(work, docs, "!")
    assert out[0] == "1!" and out[1] == "2!" and out[5] == "6!"
    assert isinstance(out[2], WorkerCrashed)
    assert isinstance(out[3], WorkerTimeout) and isinstance(out[4], ValueError)
    assert work.calls == ["good", "crash-once", "crash-once", "crash-twice", "crash-twice",
                          "slow", "bad", "last"]


class _FailedFuture:
    def result(self) -> list[object]:
        raise RuntimeError("worker lost")


class _DoneFuture:
    def result(self) -> list[object]:
        return ["a", "b"]


def test_a_failed_batch_task_fails_each_of_its_documents() -> None:
    out = batch_outcomes(_FailedFuture(), 3)  # type: ignore[arg-type]
    assert len(out) == 3 and all(isinstance(e, RuntimeError) for e in out)
    assert batch_outcomes(_DoneFuture(), 2) == ["a", "b"]  # type: ignore[arg-type]


def test_fixed_batches_keep_every_item_in_order() -> None:
    assert list(fixed_batches(list(range(10)), 4)) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert list(fixed_batches([], 4)) == []


def test_reextraction_takes_the_longest_documents_first() -> None:
    """As ingestion takes the largest files first: no worker starts a long one at the end."""
    docs = [{"doc_id": "a", "page_count": 3, "rules_version": "old"},
            {"doc_id": "b", "page_count": 51, "rules_version": "old"},
            {"doc_id": "c", "page_count": 10, "rules_version": "new"},
            {"doc_id": "d", "page_count": None, "rules_version": "old"}]
    assert [d["doc_id"] for d in select_documents(docs, "new", all_docs=True)] == \
        ["b", "c", "a", "d"]
    assert [d["doc_id"] for d in select_documents(docs, "new")] == ["b", "a", "d"]
    assert [d["doc_id"] for d in select_documents(docs, "new", doc_ids=["a", "c"])] == ["c", "a"]
