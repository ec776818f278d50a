"""fsfdocs: PDF documents of Funktionsstödsförvaltningen to clean, queryable Parquet."""

from typing import Any

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Lazy, so `import fsfdocs` stays light: `fsfdocs.read_table(...)` loads the store on use.
    if name == "read_table":
        from fsfdocs.api import read_table

        return read_table
    raise AttributeError(f"module 'fsfdocs' has no attribute {name!r}")


__all__ = ["read_table", "__version__"]
