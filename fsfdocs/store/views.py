"""DuckDB (in-process) over the store: one view per curated table.

A table with files reads them with ``read_parquet(glob, hive_partitioning = true,
union_by_name = true)``; an empty or absent table is a view over an empty arrow table with the
schema's columns, so every query works on a fresh store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from schemas import SCHEMAS

if TYPE_CHECKING:
    from fsfdocs.store.store import Store


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def define_views(con: duckdb.DuckDBPyConnection, store: Store) -> None:
    """(Re)create a view named after each table on ``con``."""
    for name, schema in SCHEMAS.items():
        if store.table_files(name):
            source = (f"read_parquet({_quote(store.glob(name))}, hive_partitioning = true, "
                      f"union_by_name = true)")
        else:
            con.register(f"__empty_{name}", schema.empty_table())
            source = f"__empty_{name}"
        cols = ", ".join(f'"{c}"' for c in schema.names)
        con.execute(f'CREATE OR REPLACE VIEW "{name}" AS SELECT {cols} FROM {source}')


def connect(store: Store, database: str = ":memory:") -> duckdb.DuckDBPyConnection:
    """A new DuckDB connection with the store's views defined."""
    con = duckdb.connect(database)
    define_views(con, store)
    return con
