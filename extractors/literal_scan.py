"""``finditer`` for many rule regexes over one long text, jumping to their literal prefixes.

Most rule patterns are case-insensitive and start with a few fixed letters (``barn\\s+och``,
``personlig\\s+assistans``). Python's ``re`` skips ahead to a literal prefix only in a
case-sensitive pattern, so each case-insensitive rule otherwise tries every position of the text.
:func:`scan` finds the prefix in a lower-cased copy of the text with ``str.find`` and tries the
regex only there, with the same matches as ``finditer``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

try:  # the parser behind ``re``; without it every pattern is simply scanned in full
    from re import _constants as sre_constants
    from re import _parser as sre_parser
except ImportError:  # pragma: no cover - other Python versions
    sre_parser = None

MIN_PREFIX = 2  # a shorter prefix occurs too often to be worth the jumps


def _fold(text: str) -> str:
    """Lower-cased as ``re.IGNORECASE`` compares letters (it also equates the long s with s)."""
    return text.lower().replace("ſ", "s")


@lru_cache(maxsize=4096)
def literal_prefix(rx: re.Pattern[str]) -> str:
    """The lower-cased fixed text every match of ``rx`` starts with ("" when there is none).

    Zero-width assertions at the start (``(?<!\\w)``, ``\\b``) are skipped; the prefix stops at
    the first element that is not a single fixed character.
    """
    if sre_parser is None:
        return ""
    try:
        items = list(sre_parser.parse(rx.pattern, rx.flags & ~re.UNICODE))
    except Exception:  # noqa: BLE001 - an unusual pattern is just not sped up
        return ""
    chars: list[str] = []
    skip = (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT)
    while items:
        op, av = items.pop(0)
        if op in skip and not chars:
            continue
        if op is sre_constants.LITERAL and len(chr(av).lower()) == 1:  # İ lowers to two
            chars.append(chr(av))
            continue
        if op is sre_constants.SUBPATTERN and not chars:  # a group at the start: look inside
            items = list(av[-1]) + items
            continue
        break
    prefix = _fold("".join(chars))
    return prefix if len(prefix) >= MIN_PREFIX else ""


@dataclass
class ScanText:
    """A text prepared for :func:`scan`: the text and its lower-cased copy (same offsets)."""

    text: str
    lowered: str | None = field(init=False)

    def __post_init__(self) -> None:
        low = _fold(self.text)
        # A few letters lower-case to two characters (İ); offsets would then differ.
        self.lowered = low if len(low) == len(self.text) else None


def scan(rx: re.Pattern[str], target: ScanText) -> Iterator[re.Match[str]]:
    """The matches ``rx.finditer(target.text)`` would give, found from the literal prefix."""
    prefix = literal_prefix(rx)
    if not prefix or target.lowered is None:
        yield from rx.finditer(target.text)
        return
    text, low, pos = target.text, target.lowered, 0
    while True:
        at = low.find(prefix, pos)
        if at < 0:
            return
        m = rx.match(text, at)
        if m is None:
            pos = at + 1
            continue
        yield m
        pos = m.end() if m.end() > at else at + 1
