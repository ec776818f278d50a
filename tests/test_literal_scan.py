"""``scan`` finds exactly what ``finditer`` finds, for every rule regex over the corpus."""

from __future__ import annotations

import re

import pytest

from extractors.legal_refs import _insatser, _laws
from extractors.literal_scan import ScanText, literal_prefix, scan
from extractors.target_groups import _rules
from tests.conftest import ROOT


def _spans(matches: object) -> list[tuple[int, int]]:
    return [m.span() for m in matches]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("pattern", "flags", "prefix"), [
    (r"(?<![\w])barn\s+och(?![\w])", re.I, "barn"),  # lookbehind skipped
    (r"\bLSS\b", 0, "lss"),  # case-sensitive: found in the lower-cased copy too
    (r"(?P<x>personlig)\s+assistans", re.I, "personlig"),  # a leading group is looked into
    (r"(?:bland|om)\s+äldre", re.I, ""),  # an alternation has no fixed start
    (r"a\w+", re.I, ""),  # too short to be worth it
    (r"kİstanbul", re.I, ""),  # stops before a letter that lower-cases to two
])
def test_literal_prefix(pattern: str, flags: int, prefix: str) -> None:
    assert literal_prefix(re.compile(pattern, flags)) == prefix


def test_scan_matches_finditer_on_tricky_text() -> None:
    rx = re.compile(r"(?<![\w])barn(?:en|s)?(?![\w])", re.I)
    text = "Barn, BARNEN och skolbarn; barnbarn. ſtor barns İstanbul barn"
    assert _spans(scan(rx, ScanText(text))) == _spans(rx.finditer(text))
    assert ScanText(text).lowered is None  # İ lower-cases to two characters: plain finditer
    long_s = re.compile("stor", re.I)
    assert _spans(scan(long_s, ScanText("en ſtor sak"))) == [(3, 7)]


def test_scan_matches_finditer_for_every_rule_over_the_corpus() -> None:
    patterns = [r.regex for r in _rules()["items"]] + [r.regex for r in _insatser()["items"]]
    patterns += [rx for rx, _ in _laws()["names"]]
    assert sum(bool(literal_prefix(rx)) for rx in patterns) > len(patterns) / 2
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus" / "src").glob("*.md"))]
    assert texts
    for text in texts:
        target = ScanText(text)
        for rx in patterns:
            assert _spans(scan(rx, target)) == _spans(rx.finditer(text)), rx.pattern
