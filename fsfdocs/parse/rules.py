"""Loading of the parse layer's YAML data files (layout conventions, document types)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent


@cache
def load_rules(name: str) -> dict[str, Any]:
    """The YAML file ``fsfdocs/parse/<name>.yaml`` as a dict (read once per process)."""
    with (DATA_DIR / f"{name}.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def layout_rules() -> dict[str, Any]:
    """Layout conventions: furniture, line kinds, hyphenation, blocks."""
    return load_rules("layout_rules")


def doc_type_rules() -> dict[str, Any]:
    """Document-type keywords and metadata patterns."""
    return load_rules("doc_types")
