"""Column and table specs: the pyarrow type of a column next to its meaning, unit and example.

A :class:`Column` is one row of the data dictionary (dbt-style: description, unit and example sit
with the type). :class:`TableSpec` groups the columns of one curated table and says how the store
lays it out (``scope="document"``: rows belong to one document and are replaced with it;
``scope="log"``: rows are appended and never replaced).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import yaml

VOCABULARY_FILE = Path(__file__).with_name("vocabularies.yaml")

UTC_TIMESTAMP = pa.timestamp("us", tz="UTC")
COST_LINE = pa.struct([("label", pa.string()), ("amount_sek", pa.int64())])


@cache
def vocabularies() -> dict[str, tuple[str, ...]]:
    """The closed vocabularies (``schemas/vocabularies.yaml``), by name."""
    data = yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8"))
    return {name: tuple(values) for name, values in data.items()}


@dataclass(frozen=True)
class Column:
    """One column: its arrow type, nullability, meaning, unit, example and allowed range."""

    name: str
    type: pa.DataType
    description: str
    nullable: bool = True
    unit: str | None = None
    example: Any = None
    vocabulary: str | None = None  # name in vocabularies.yaml; values must come from it
    min: float | None = None
    max: float | None = None

    def field(self) -> pa.Field:
        """The pyarrow field, with description, unit and example in its metadata."""
        meta = {"description": self.description}
        if self.unit:
            meta["unit"] = self.unit
        if self.example is not None:
            meta["example"] = str(self.example)
        return pa.field(self.name, self.type, nullable=self.nullable, metadata=meta)

    def allowed(self) -> tuple[str, ...] | None:
        """The allowed values of a vocabulary column, else None."""
        return vocabularies()[self.vocabulary] if self.vocabulary else None


Scope = Literal["document", "log"]


@dataclass(frozen=True)
class TableSpec:
    """One curated table: its columns in order and how the store keeps it."""

    name: str
    description: str
    columns: tuple[Column, ...]
    scope: Scope = "document"
    sort_by: tuple[str, ...] = field(default=("doc_id",))

    def schema(self, schema_version: str) -> pa.Schema:
        """The pyarrow schema, with the table name and schema version in its metadata."""
        return pa.schema(
            [c.field() for c in self.columns],
            metadata={"fsfdocs.table": self.name, "fsfdocs.schema_version": schema_version,
                      "description": self.description},
        )

    def column(self, name: str) -> Column:
        """The column called ``name`` (KeyError if none)."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]
