"""Analyst helpers: curated tables as pandas or polars DataFrames with the schema's types."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from fsfdocs.settings import DEFAULT_CURATED

Engine = Literal["pandas", "polars", "arrow"]


def _pandas_types() -> dict[Any, Any]:
    import pandas as pd
    import pyarrow as pa

    return {
        pa.int64(): pd.Int64Dtype(), pa.int32(): pd.Int32Dtype(), pa.float64(): pd.Float64Dtype(),
        pa.bool_(): pd.BooleanDtype(), pa.string(): pd.StringDtype(),
    }


def read_table(
    table: str,
    curated: str | Path = DEFAULT_CURATED,
    engine: Engine = "pandas",
    doc_id: str | None = None,
    columns: list[str] | None = None,
) -> Any:
    """One curated table as a DataFrame (``engine``: pandas, polars or arrow).

    Columns keep their schema types even with nulls: pandas gets nullable dtypes (``Int64``,
    ``string``, ``boolean``…), timestamps are UTC, lists stay lists. ``doc_id`` reads one
    document's rows; ``columns`` selects columns. An empty table has all its columns.
    ``curated`` is a local folder or an ``s3://bucket/prefix`` URL (docs/adr/0007).
    """
    from fsfdocs.store import Store

    data = Store(curated).read(table, doc_id=doc_id, columns=columns)
    if engine == "arrow":
        return data
    if engine == "polars":
        import polars as pl

        return pl.from_arrow(data)
    if engine == "pandas":
        mapping = _pandas_types()
        return data.to_pandas(types_mapper=mapping.get)
    raise ValueError(f"unknown engine {engine!r}: use pandas, polars or arrow")
