"""Load YAML rule files from the rule folder in force, cached by path and modification time.

Within :func:`rules_snapshot` (one document's extraction) each file is looked up once: the
extractors ask for their rules thousands of times a document, and a ``stat`` each time costs,
in a process whose other threads hold the GIL, far more than the extraction itself.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml

from fsfdocs.settings import rules_dir


class RuleFileError(ValueError):
    """A rule file is missing or is not valid YAML."""


@dataclass
class _Snapshot:
    folder: str
    files: dict[str, Any] = field(default_factory=dict)  # the rule files looked up, by name


_SNAPSHOT: ContextVar[_Snapshot | None] = ContextVar("rules_snapshot", default=None)


@contextmanager
def rules_snapshot(folder: str | None = None) -> Iterator[None]:
    """Within this block, :func:`load_rules` reads from one rule folder (``folder``, else the one
    in force on entry) and checks each file once, then keeps its content: one document is
    extracted with one consistent set of rules, even if a file is edited meanwhile. A nested
    block for the same folder (or for none) shares the outer snapshot."""
    outer = _SNAPSHOT.get()
    if outer is not None and folder in (None, outer.folder):
        yield
        return
    token = _SNAPSHOT.set(_Snapshot(folder or rules_dir()))
    try:
        yield
    finally:
        _SNAPSHOT.reset(token)


@lru_cache(maxsize=64)
def _load(path: str, mtime_ns: int) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise RuleFileError(f"{path}: not valid YAML: {exc}") from exc


def load_rules(name: str) -> Any:
    """The parsed content of rule file ``name`` (e.g. ``"amounts.yaml"``).

    Reads from the folder of the current :func:`rules_snapshot`, else from ``FSFDOCS_RULES_DIR``
    when set, else ``extractors/rules``; a changed file is re-read, an unchanged one comes from
    the cache (and, within :func:`rules_snapshot`, is not even checked again).
    """
    snapshot = _SNAPSHOT.get()
    if snapshot is not None and name in snapshot.files:
        return snapshot.files[name]
    path = os.path.join(rules_dir() if snapshot is None else snapshot.folder, name)
    try:
        info = os.stat(path)
    except OSError:
        info = None
    if info is None or not stat.S_ISREG(info.st_mode):
        raise RuleFileError(f"{path}: rule file not found")
    rules = _load(path, info.st_mtime_ns)
    if snapshot is not None:
        snapshot.files[name] = rules
    return rules
