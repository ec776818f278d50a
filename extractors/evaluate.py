"""Score extracted records against the hand-checked gold in ``tests/gold/<doc-stem>/*.yaml``.

The gold format is documented in ``tests/gold/README.md``: each file names the curated table it
checks, an optional filter on the actual records, the fields compared and the expected records,
matched as a multiset.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

GOLD_DIR = Path(__file__).resolve().parent.parent / "tests" / "gold"


@dataclass(frozen=True)
class Scores:
    """Counts and rates of one comparison of expected with actual records."""

    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float


def _norm(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return " ".join(unicodedata.normalize("NFC", value).split()).casefold()
    if isinstance(value, list | tuple):
        return tuple(sorted((_norm(v) for v in value), key=repr))
    if hasattr(value, "tolist"):  # numpy arrays from Parquet
        return _norm(value.tolist())
    return value


def _agrees(
    expected: Mapping[str, Any], actual: Mapping[str, Any], field: str, prefix: bool
) -> bool:
    want, got = _norm(expected.get(field)), _norm(actual.get(field))
    if prefix and isinstance(want, str):
        return isinstance(got, str) and got.startswith(want)
    return want == got


def score(
    expected: Sequence[Mapping[str, Any]],
    actual: Sequence[Mapping[str, Any]],
    match_fields: Iterable[str],
    prefix_fields: Iterable[str] = (),
) -> Scores:
    """Match ``expected`` against ``actual`` as multisets on ``match_fields``.

    Greedy in order: each expected record takes the first unmatched actual record agreeing on
    every match field (fields in ``prefix_fields`` agree when expected is a prefix of actual).
    """
    fields = list(match_fields)
    prefixes = set(prefix_fields)
    used = [False] * len(actual)
    tp = 0
    for exp in expected:
        for i, act in enumerate(actual):
            if not used[i] and all(_agrees(exp, act, f, f in prefixes) for f in fields):
                used[i] = True
                tp += 1
                break
    fn = len(expected) - tp
    fp = len(actual) - tp
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(tp, fp, fn, precision, recall, f1)


def load_gold(path: Path) -> dict[str, Any]:
    """One gold file, checked for the keys the evaluator needs."""
    with open(path, encoding="utf-8") as fh:
        gold = yaml.safe_load(fh) or {}
    for key in ("table", "match_fields"):
        if key not in gold:
            raise ValueError(f"{path}: gold file lacks '{key}'")
    gold.setdefault("records", [])
    gold.setdefault("filter", {})
    gold.setdefault("prefix_fields", [])
    gold.setdefault("distinct", False)
    return gold


def _distinct(records: Sequence[Mapping[str, Any]], fields: list[str]) -> list[Mapping[str, Any]]:
    """One record per distinct value of ``fields``; records with a null match field dropped."""
    seen: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for r in records:
        key = tuple(_norm(r.get(f)) for f in fields)
        if None not in key:
            seen.setdefault(key, r)
    return list(seen.values())


def _passes(record: Mapping[str, Any], flt: Mapping[str, Any]) -> bool:
    return all(_norm(record.get(k)) == _norm(v) for k, v in flt.items())


def evaluate_document(
    doc_stem: str,
    records_by_table: Mapping[str, Sequence[Mapping[str, Any]]],
    gold_dir: Path | None = None,
) -> dict[str, Scores]:
    """Scores per gold file (keyed by file stem, e.g. ``amounts``) for one corpus document."""
    folder = (gold_dir or GOLD_DIR) / doc_stem
    if not folder.is_dir():
        raise FileNotFoundError(f"no gold for {doc_stem!r} in {folder.parent}")
    out: dict[str, Scores] = {}
    for path in sorted(folder.glob("*.yaml")):
        gold = load_gold(path)
        actual = [r for r in records_by_table.get(gold["table"], []) if _passes(r, gold["filter"])]
        if gold["distinct"]:  # the gold is a set of values (e.g. categories a document supports)
            actual = _distinct(actual, gold["match_fields"])
        out[path.stem] = score(gold["records"], actual, gold["match_fields"], gold["prefix_fields"])
    return out
