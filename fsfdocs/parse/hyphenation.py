"""Joining of words hyphenated at a line end, only where the joined result is a word.

Evidence, in order: a suspended hyphen (``avlösning-, ledsagning-`` + ``och ...``) is left
alone; an upper-case acronym before the hyphen (``LSS-`` + ``boenden``) keeps its hyphen; the
joined word is accepted if the document itself uses it, if a Swedish word list has it, or if it
splits into listed words as a Swedish compound (``funktions`` + ``nedsättning``); a word unknown
to all of these is still joined when a listed word runs across the break (``neuropsy-`` +
``kiatriska``, with ``psykiatriska`` listed).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from fsfdocs.parse.rules import layout_rules

WORD_LISTS = (Path("/usr/share/dict/swedish"), Path("/usr/share/dict/svenska"))
LINE_END = re.compile(r"(?:^|\s)(\S*?)([A-Za-zÅÄÖåäöÉé]+)-$")
TOKEN = re.compile(r"[A-Za-zÅÄÖåäöÉéÜü]+")


@lru_cache(maxsize=1)
def swedish_words() -> frozenset[str]:
    """The Debian ``wswedish`` word list (lower-cased), or an empty set if not installed."""
    for path in WORD_LISTS:
        if path.is_file():
            raw = path.read_bytes()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("latin-1")
            return frozenset(w.strip().lower() for w in text.splitlines() if w.strip())
    return frozenset()


def document_vocabulary(texts: list[str]) -> frozenset[str]:
    """Lower-cased words of the document (excluding fragments split at a line-end hyphen:
    the last word of a line ending in ``-`` and the first word of the line after it)."""
    vocab: set[str] = set()
    previous = ""
    for t in texts:
        body = t[:-1] if t.endswith("-") else t
        words = [w.lower() for w in TOKEN.findall(body)]
        if t.endswith("-") and words:
            words.pop()
        if previous.endswith("-") and words and body.lstrip()[:1].islower():
            words.pop(0)
        vocab.update(words)
        previous = t.rstrip()
    return frozenset(vocab)


class Hyphenation:
    """Decides how a line ending in a hyphen joins the next line."""

    def __init__(self, vocab: frozenset[str]) -> None:
        rules = layout_rules()["hyphenation"]
        self.vocab = vocab
        self.words = swedish_words()
        self.followers = {w.lower() for w in rules["suspended_followers"]}
        self.joints = tuple(rules["compound_joints"])
        self.min_len = int(rules["min_part_len"])
        self._memo: dict[str, bool] = {}

    def known(self, word: str) -> bool:
        return word in self.vocab or word in self.words

    def is_word(self, word: str, depth: int = 0) -> bool:
        """True when ``word`` is known or is a compound of known words (Swedish joints allowed)."""
        if self.known(word):
            return True
        if depth > 3 or len(word) < 2 * self.min_len:
            return False
        key = f"{depth}:{word}"
        if key in self._memo:
            return self._memo[key]
        ok = False
        for i in range(len(word) - self.min_len, self.min_len - 1, -1):
            head, tail = word[:i], word[i:]
            head_ok = self.words.__contains__(head) or (
                head.endswith(self.joints) and head[:-1] in self.words and len(head) > self.min_len
            )
            if head_ok and self.is_word(tail, depth + 1):
                ok = True
                break
        self._memo[key] = ok
        return ok

    def decide(self, line: str, next_line: str) -> str:
        """``join`` (drop the hyphen), ``join_hyphen`` (keep it) or ``keep`` (leave the lines)."""
        m = LINE_END.search(line)
        nxt = next_line.lstrip().split(" ", 1)[0] if next_line.strip() else ""
        if not m or not nxt:
            return "keep"
        head = m.group(1) + m.group(2)
        if m.group(1).endswith("-"):  # a hyphenated compound: leave it as printed
            return "keep"
        follower = nxt.rstrip(",.;:").lower()
        if follower in self.followers or not nxt[0].isalpha():
            return "keep"
        last = m.group(2)
        if (len(last) >= 2 and last.isupper()) or nxt[0].isupper():
            return "join_hyphen"
        tail = TOKEN.match(nxt)
        if not tail:
            return "keep"
        joined = (head + tail.group(0)).lower()
        if self.is_word(joined):
            return "join"
        if f"{head}-{tail.group(0)}".lower() in self.vocab:
            return "join_hyphen"
        if self.straddles(joined, len(joined) - len(tail.group(0))):
            return "join"
        return "keep"

    def straddles(self, joined: str, cut: int) -> bool:
        """Whether ``joined`` ends in a listed word that starts before ``cut`` (the line break).

        ``neuropsy-`` + ``kiatriska``: neither part is a word and the whole is in no list, but
        ``psykiatriska`` runs across the break, so it is one word broken at a syllable.
        """
        tail = joined[cut:]
        if self.is_word(tail):  # a word after the hyphen may be a compound's second part
            return False
        for start in range(cut - 2, -1, -1):
            word = joined[start:]
            if len(word) - len(tail) >= 2 and word in self.words and len(word) >= 2 * self.min_len:
                return True
        return False


def apply(line: str, next_line: str, decision: str) -> tuple[str, str]:
    """The two lines after joining: the completed word moves up to the end of the first line."""
    if decision == "keep":
        return line, next_line
    stripped = next_line.lstrip()
    first, _, rest = stripped.partition(" ")
    head = line[:-1] if decision == "join" else line
    return head + first, rest.lstrip()
