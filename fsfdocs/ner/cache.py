"""The NER output of each document, cached beside the parse cache.

The NER pass is most of the cost of extraction and depends only on the parsed text and the
model, never on the rule files, so re-extraction after a rule change reuses it. Entries live at
``<interim>/ner/<doc_id>-<model_version>.parquet``: a retrained model misses the cache.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from fsfdocs import storage
from fsfdocs.ner.paths import model_dir
from fsfdocs.parse.cache import write_atomic

SCHEMA = pa.schema([
    ("label", pa.string()), ("text", pa.string()), ("char_start", pa.int64()),
    ("char_end", pa.int64()), ("raw_text", pa.string()), ("extractor", pa.string()),
    ("confidence", pa.float64()),
])


@lru_cache(maxsize=4)
def _model_version(path: str) -> str:
    h = hashlib.sha256()
    for f in sorted(p for p in Path(path).rglob("*") if p.is_file()):
        h.update(f.relative_to(path).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def model_version() -> str:
    """A hash of every file of the NER model in force."""
    return _model_version(str(model_dir().resolve()))


def entities_path(doc_id: str, interim_dir: str | Path) -> Path | str:
    """Where the entities of ``doc_id`` by the current model are cached."""
    name = f"{doc_id}-{model_version()}.parquet"
    if storage.is_url(interim_dir):
        return storage.join(interim_dir, "ner", name)
    return Path(interim_dir) / "ner" / name


def load_entities(doc_id: str, interim_dir: str | Path) -> list[dict[str, Any]] | None:
    """The cached entity records, or None when absent or unreadable (then they are recomputed)."""
    path = entities_path(doc_id, interim_dir)
    if not storage.file_exists(path):
        return None
    try:
        fs, fs_path, _ = storage.resolve(path)
        return pq.read_table(fs_path, filesystem=fs, schema=SCHEMA).to_pylist()
    except Exception:  # noqa: BLE001 - a damaged entry is only a cache miss
        return None


def save_entities(doc_id: str, interim_dir: str | Path, records: list[dict[str, Any]]) -> None:
    """Cache the entity records of ``doc_id`` (written whole or not at all)."""
    table = pa.Table.from_pylist([{k: r.get(k) for k in SCHEMA.names} for r in records],
                                 schema=SCHEMA)
    write_atomic(table, entities_path(doc_id, interim_dir), interim_dir)
