"""DuckDB (in-process) over the store: one view per curated table.

``history_<table>`` views (once a re-extraction replaced rows) hold the replaced rows with a
``replaced_by`` column naming the run that replaced them.

On a local store a table with files reads them with ``read_parquet(glob, hive_partitioning =
true, union_by_name = true)``, so a connection sees later writes. On an S3 store each view is
over a pyarrow dataset opened on pyarrow's S3 filesystem (DuckDB scans it with projection and
filter push-down; no DuckDB extension is needed): the connection sees the files that existed
when it was made — connect again to see later writes. An empty or absent table is a view over
an empty arrow table with the schema's columns, so every query works on a fresh store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from schemas import DOCUMENT_TABLES, SCHEMAS

if TYPE_CHECKING:
    from fsfdocs.store.store import Store


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _source(con: duckdb.DuckDBPyConnection, store: Store, name: str) -> str:
    """The FROM clause of table ``name``'s view."""
    if store.fs.is_local:
        if store.table_files(name):
            return (f"read_parquet({_quote(store.glob(name))}, hive_partitioning = true, "
                    f"union_by_name = true)")
    else:
        dataset = store.table_dataset(name)
        if dataset is not None:
            con.register(f"__data_{name}", dataset)
            return f"__data_{name}"
    con.register(f"__empty_{name}", SCHEMAS[name].empty_table())
    return f"__empty_{name}"


def define_views(con: duckdb.DuckDBPyConnection, store: Store) -> None:
    """(Re)create a view named after each table on ``con``."""
    for name, schema in SCHEMAS.items():
        source = _source(con, store, name)
        cols = ", ".join(f'"{c}"' for c in schema.names)
        con.execute(f'CREATE OR REPLACE VIEW "{name}" AS SELECT {cols} FROM {source}')
    for name in DOCUMENT_TABLES:  # rows replaced by re-extractions, with the run that did it
        if store.fs.is_local:
            if store.history_files(name):
                con.execute(
                    f'CREATE OR REPLACE VIEW "history_{name}" AS SELECT * FROM read_parquet('
                    f"{_quote(store.history_glob(name))}, hive_partitioning = true, "
                    f"union_by_name = true)"
                )
        elif (history := store.history_dataset(name)) is not None:
            con.register(f"__history_{name}", history)
            con.execute(f'CREATE OR REPLACE VIEW "history_{name}" AS '
                        f'SELECT * FROM "__history_{name}"')


def connect(store: Store, database: str = ":memory:") -> duckdb.DuckDBPyConnection:
    """A new DuckDB connection with the store's views defined."""
    con = duckdb.connect(database)
    define_views(con, store)
    return con
