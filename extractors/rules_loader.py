"""Load YAML rule files from the rule folder in force, cached by path and modification time."""

from __future__ import annotations

import os
import stat
from functools import lru_cache
from typing import Any

import yaml

from fsfdocs.settings import rules_dir


class RuleFileError(ValueError):
    """A rule file is missing or is not valid YAML."""


@lru_cache(maxsize=64)
def _load(path: str, mtime_ns: int) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise RuleFileError(f"{path}: not valid YAML: {exc}") from exc


def load_rules(name: str) -> Any:
    """The parsed content of rule file ``name`` (e.g. ``"amounts.yaml"``).

    Reads from ``FSFDOCS_RULES_DIR`` when set, else ``extractors/rules``; a changed file is
    re-read, an unchanged one comes from the cache.
    """
    # Called thousands of times per document: one stat(2) on a plain string path, no Path objects.
    path = os.path.join(rules_dir(), name)
    try:
        info = os.stat(path)
    except OSError:
        info = None
    if info is None or not stat.S_ISREG(info.st_mode):
        raise RuleFileError(f"{path}: rule file not found")
    return _load(path, info.st_mtime_ns)
