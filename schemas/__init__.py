"""The curated tables' schemas: the contract between extractors, the store and analysts.

``SCHEMAS`` maps every table name to its pyarrow schema (each field carries its description,
unit and example in its metadata); :func:`validate` checks a batch of records against one.
``python -m schemas.docs`` writes ``docs/DATA_DICTIONARY.md`` from these definitions.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from schemas.columns import Column, TableSpec, vocabularies
from schemas.tables import TABLE_SPECS
from schemas.validate import RecordError, check_records

#: Bump on any change to a column (name, type, nullability, vocabulary). Stored in every file.
SCHEMA_VERSION = "1"

SCHEMAS: dict[str, pa.Schema] = {name: t.schema(SCHEMA_VERSION) for name, t in TABLE_SPECS.items()}

#: Tables whose rows belong to one document (replaced with it, partitioned by ``doc_type``).
DOCUMENT_TABLES: tuple[str, ...] = tuple(n for n, t in TABLE_SPECS.items() if t.scope == "document")
#: Append-only tables (errors, runs, extraction_diffs).
LOG_TABLES: tuple[str, ...] = tuple(n for n, t in TABLE_SPECS.items() if t.scope == "log")


def validate(
    table: str, records: list[dict[str, Any]]
) -> tuple[pa.Table | None, list[RecordError]]:
    """Check ``records`` against the schema of ``table``.

    Returns ``(arrow_table, [])`` when every record fits, else ``(None, errors)``: a batch with
    a misfit is never built half-right. An unknown table name is a ``KeyError``.
    """
    spec = TABLE_SPECS[table]
    rows, errors = check_records(spec, records)
    if errors:
        return None, errors
    return pa.Table.from_pylist(rows, schema=SCHEMAS[table]), []


def empty_table(table: str) -> pa.Table:
    """A table with no rows and the schema of ``table``."""
    return SCHEMAS[table].empty_table()


__all__ = [
    "SCHEMAS", "SCHEMA_VERSION", "DOCUMENT_TABLES", "LOG_TABLES", "TABLE_SPECS", "Column",
    "TableSpec", "RecordError", "validate", "empty_table", "vocabularies",
]
