"""Re-extraction after rule changes: from the parse cache, with a diff, history and no-ops."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from extractors.target_groups import extract_target_groups
from flows import tasks
from flows.ingest import run_ingest
from flows.reextract import run_reextract
from flows.tasks import extraction_runner
from fsfdocs.isolation import Limits, close_shared_runners
from fsfdocs.parse.cache import load_parsed
from fsfdocs.settings import RULES_DIR
from fsfdocs.store import Store
from tests.conftest import RAW_DIR

pytestmark = pytest.mark.slow

DOCS = ["ansokan-sociala-insatser-lokal-utveckling-2023.pdf",
        "finsam-ansokan-make-it-work-2020.pdf"]
NEW_PHRASE = r"kvinnor\s+och\s+män"


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("reextract-base")
    (root / "raw").mkdir()
    for name in DOCS:
        shutil.copy(RAW_DIR / name, root / "raw" / name)
    shutil.copytree(RULES_DIR, root / "rules")
    with _rules(root / "rules"):
        s = run_ingest(raw_dir=str(root / "raw"), curated_dir=str(root / "curated"),
                       interim_dir=str(root / "interim"), workers=2)
    assert len(s.new) == 2
    return root


@pytest.fixture()
def work(ingested: Path, tmp_path: Path) -> Iterator[Path]:
    """A private copy of the ingested store, parse cache and rules, with those rules in force."""
    for name in ("raw", "curated", "interim", "rules"):
        shutil.copytree(ingested / name, tmp_path / name)
    with _rules(tmp_path / "rules"):
        yield tmp_path


class _rules:
    """Point the extractors at a rule folder for the duration of a block."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        self.old = os.environ.get("FSFDOCS_RULES_DIR")
        os.environ["FSFDOCS_RULES_DIR"] = str(self.path)

    def __exit__(self, *exc: object) -> None:
        if self.old is None:
            os.environ.pop("FSFDOCS_RULES_DIR", None)
        else:
            os.environ["FSFDOCS_RULES_DIR"] = self.old


def _reextract(root: Path, **kw: object):
    return run_reextract(curated_dir=str(root / "curated"), interim_dir=str(root / "interim"),
                         workers=2, **kw)


def _snapshot(root: Path) -> dict[str, float]:
    return {str(p.relative_to(root)): p.stat().st_mtime
            for p in (root / "curated").rglob("*")
            if p.is_file() and not p.name.startswith(".fsfdocs.lock")}


def _rows(root: Path, sql: str) -> list[tuple]:
    return Store(root / "curated").connect().execute(sql).fetchall()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_unchanged_rules_touch_nothing(work: Path) -> None:
    before = _snapshot(work)
    s = _reextract(work)
    assert s.selected == [] and s.diffs == []
    assert _snapshot(work) == before
    forced = _reextract(work, all_docs=True)  # re-run everything: same records, nothing written
    assert len(forced.selected) == 2 and forced.changed_docs == []
    assert _snapshot(work) == before


def test_new_target_group_phrase_adds_exactly_its_mentions(work: Path) -> None:
    _edit(work / "rules" / "target_groups.yaml", "  autism:\n",
          f"  autism:\n    - {{regex: '{NEW_PHRASE}', confidence: 0.9}}\n")
    before = _snapshot(work)
    old_rows = _rows(work, "SELECT record_id FROM target_groups")
    old_finsam = _rows(work, "SELECT count(*) FROM target_groups t JOIN documents d "
                       f"USING (doc_id) WHERE d.file_name = '{DOCS[1]}'")[0][0]

    doc_id = _rows(work, f"SELECT doc_id FROM documents WHERE file_name = '{DOCS[1]}'")[0][0]
    expected = {  # the rule extractor's own view of the new phrase, under the edited rules
        (r["char_start"], r["char_end"])
        for r in extract_target_groups(load_parsed(doc_id, work / "interim"))
        if r["category"] == "autism" and re.search(NEW_PHRASE, r["raw_text"], re.I)
    }
    assert len(expected) >= 3

    dry = _reextract(work, dry_run=True)
    assert _snapshot(work) == before  # a dry run writes nothing
    n_added = sum(len(d.added) for d in dry.diffs)
    assert dry.diff_lines() == {"target_groups": f"+{n_added} −0 ~0 in 1 document"}

    s = _reextract(work)
    assert s.diff_lines() == dry.diff_lines()
    added = _rows(work, "SELECT t.raw_text, t.category, t.extractor, d.file_name, "
                  "t.char_start, t.char_end "
                  "FROM target_groups t JOIN documents d USING (doc_id) WHERE t.record_id NOT IN "
                  f"({', '.join(repr(r[0]) for r in old_rows)})")
    assert len(added) == n_added
    # one rule record per mention; NER phrases containing it now map to the category too
    assert {(a, b) for _, _, e, _, a, b in added if e == "rule"} == expected
    assert all(re.search(NEW_PHRASE, t, re.I) and c == "autism" and f == DOCS[1]
               for t, c, _, f, _, _ in added), added
    diffs = _rows(work, "SELECT \"table\", change, after FROM extraction_diffs")
    assert sorted((t, c) for t, c, _ in diffs) == [("target_groups", "added")] * n_added
    assert all(json.loads(a)["category"] == "autism" for _, _, a in diffs)
    # every record of both documents now carries the new rules version
    versions = _rows(work, "SELECT DISTINCT rules_version FROM amounts")
    assert versions == [(s.rules_version,)]
    # the replaced rows stay queryable, tagged with the run that replaced them
    hist = _rows(work, "SELECT count(*), min(replaced_by), max(replaced_by) "
                 "FROM history_target_groups")
    assert hist == [(old_finsam, s.run_id, s.run_id)]
    runs = Store(work / "curated").document_history(doc_id[:10])
    assert [r["flow"] for r in runs] == ["ingest", "reextract"]
    assert runs[1]["record_changes"] == n_added

    after = _snapshot(work)
    again = _reextract(work)  # nothing changed since: touches nothing
    assert again.selected == [] and _snapshot(work) == after


def test_dropped_amount_unit_removes_exactly_those_amounts(work: Path) -> None:
    gone = {r[0] for r in _rows(work, "SELECT record_id FROM amounts WHERE unit = 'kronor'")}
    kept = {r[0] for r in _rows(work, "SELECT record_id FROM amounts WHERE unit <> 'kronor'")}
    assert gone and kept
    rules = work / "rules" / "amounts.yaml"  # drop the unit pattern(s) for plain "kronor"
    lines = rules.read_text(encoding="utf-8").splitlines(keepends=True)
    kept_lines = [ln for ln in lines if "unit: kronor, factor: 1}" not in ln]
    assert len(kept_lines) < len(lines)
    rules.write_text("".join(kept_lines), encoding="utf-8")
    s = _reextract(work)
    now = {r[0] for r in _rows(work, "SELECT record_id FROM amounts")}
    assert now == kept
    removed = {r[0] for r in _rows(
        work, "SELECT record_key FROM extraction_diffs WHERE \"table\" = 'amounts'"
        " AND change = 'removed'")}
    assert removed == gone
    assert "amounts" in s.diff_lines() and s.diff_lines()["amounts"].startswith(
        f"+0 −{len(gone)} ~0")


def test_missing_or_corrupt_cache_is_reported_and_repaired(work: Path) -> None:
    entries = sorted((work / "interim" / "parsed").glob("*.parquet"))
    assert len(entries) == 2
    entries[0].unlink()
    entries[1].write_bytes(b"not parquet")
    s = _reextract(work, all_docs=True)
    assert sorted(s.repaired_cache) == sorted(p.stem for p in entries)
    assert all(p.is_file() and p.stat().st_size > 1000 for p in entries)
    assert s.changed_docs == [] and s.ok


def test_warm_extraction_workers_do_the_work_with_the_callers_rules(
    work: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the extraction workers up (as ``fsfdocs serve`` keeps them) whole batches go to them,
    not to the flow's threads, and they extract with the rule folder of the run even when they
    were started under another; the result is the same as in the flow's threads."""
    _edit(work / "rules" / "target_groups.yaml", "  autism:\n",
          f"  autism:\n    - {{regex: '{NEW_PHRASE}', confidence: 0.9}}\n")
    in_threads = _reextract(work, dry_run=True)
    assert in_threads.diff_lines()["target_groups"].startswith("+")
    with _rules(RULES_DIR):  # started under the project's own rules, without the new phrase
        extraction_runner(2, Limits(), start=True)

    def not_here(*args: object) -> None:
        raise AssertionError("re-extracted in the flow's thread")

    monkeypatch.setattr(tasks, "reextract_document", not_here)
    missing = sorted((work / "interim" / "parsed").glob("*.parquet"))[0]
    missing.unlink()  # the workers find no cache entry: parsed again, as in the flow's threads
    try:
        s = _reextract(work)
    finally:
        close_shared_runners()
    assert s.ok and s.diff_lines() == in_threads.diff_lines()
    assert s.repaired_cache == [missing.stem] and missing.is_file()
    assert _rows(work, "SELECT count(*) FROM target_groups WHERE regexp_matches(raw_text, "
                 "'kvinnor\\s+och\\s+män', 'i')")[0][0] >= 3


def test_a_long_one_shot_run_starts_the_extraction_workers_and_stops_them(
    work: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """From ``workers_from`` documents on, a run's own extraction workers share the documents
    across the cores; the run stops them at its end, as it stops its parsing workers."""
    from fsfdocs import isolation

    monkeypatch.setattr(tasks, "reextract_document", lambda *args: 1 / 0)  # not in a thread
    small = _reextract(work, all_docs=True, workers_from=3)  # 2 documents: in the threads
    assert not small.ok and {f.error_type for f in small.failed} == {"ZeroDivisionError"}
    s = _reextract(work, all_docs=True, workers_from=2)
    assert s.ok and len(s.selected) == 2 and s.changed_docs == []
    assert not isolation._SHARED


def test_documents_are_chosen_by_id_prefix(work: Path) -> None:
    ids = [r[0] for r in _rows(work, "SELECT doc_id FROM documents ORDER BY doc_id")]
    s = _reextract(work, doc_ids=[ids[1][:8].upper()], dry_run=True)
    assert s.selected == [ids[1]]
    both = _reextract(work, doc_ids=[ids[0][:6], ids[1]], dry_run=True)
    assert sorted(both.selected) == ids
    with pytest.raises(KeyError, match="no ingested document with id 0000"):
        _reextract(work, doc_ids=["0000"], dry_run=True)
