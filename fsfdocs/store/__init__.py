"""The curated Parquet store (see :class:`Store` and docs/adr/0004-parquet-layout.md)."""

from fsfdocs.store.lock import StoreLockTimeout
from fsfdocs.store.store import Store

__all__ = ["Store", "StoreLockTimeout"]
