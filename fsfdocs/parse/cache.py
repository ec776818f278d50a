"""Cache of parsed documents: one Parquet file per document under ``<interim>/parsed/``.

Lines and table cells are rows; the document fields, pages, tables (without cells) and
metadata are JSON in the Parquet key-value metadata (key ``fsfdocs``). A file written by another
parser version counts as missing, so a parser change re-parses everything.

``interim_dir`` may be an ``s3://bucket/prefix`` URL: an entry is then written whole under
``<interim>/_tmp/`` and published by copying it to its key (see :mod:`fsfdocs.storage`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from fsfdocs import storage
from fsfdocs.model import DocumentMetadata, Line, PageInfo, ParsedDocument, Table, TableCell
from fsfdocs.parse.version import PARSER_VERSION

META_KEY = b"fsfdocs"
SCHEMA = pa.schema(
    [
        ("record", pa.string()),  # "line" or "cell"
        ("page", pa.int32()),
        ("text", pa.string()),
        ("x0", pa.float64()),
        ("top", pa.float64()),
        ("x1", pa.float64()),
        ("bottom", pa.float64()),
        ("char_start", pa.int64()),
        ("char_end", pa.int64()),
        ("kind", pa.string()),
        ("block", pa.int32()),
        ("font_size", pa.float64()),
        ("bold", pa.bool_()),
        ("table_index", pa.int32()),
        ("row", pa.int32()),
        ("col", pa.int32()),
    ]
)


class CacheCorrupt(Exception):
    """A cache file exists but cannot be read back."""


def sha256_file(path: str | Path) -> str:
    """The sha256 hex digest of a file's bytes (the document id)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def cache_path(doc_id: str, interim_dir: str | Path) -> Path | str:
    """Where the parsed document ``doc_id`` is cached (a URL when ``interim_dir`` is one)."""
    if storage.is_url(interim_dir):
        return storage.join(interim_dir, "parsed", f"{doc_id}.parquet")
    return Path(interim_dir) / "parsed" / f"{doc_id}.parquet"


def save_parsed(doc: ParsedDocument, interim_dir: str | Path) -> Path | str:
    """Write ``doc`` to the cache atomically (temp file + ``os.replace``, or on S3 temporary
    object + copy); returns the path (or URL)."""
    rows: dict[str, list] = {name: [] for name in SCHEMA.names}

    def add(**kw) -> None:
        for name in SCHEMA.names:
            rows[name].append(kw.get(name))

    for ln in doc.lines:
        add(record="line", **dataclasses.asdict(ln))
    for ti, t in enumerate(doc.tables):
        for c in t.cells:
            add(record="cell", table_index=ti, **dataclasses.asdict(c))
    head = {
        "doc_id": doc.doc_id,
        "file_name": doc.file_name,
        "source_path": doc.source_path,
        "text": doc.text,
        "parser_version": doc.parser_version or PARSER_VERSION,
        "pages": [dataclasses.asdict(p) for p in doc.pages],
        "tables": [
            {k: v for k, v in dataclasses.asdict(t).items() if k != "cells"} for t in doc.tables
        ],
        "metadata": dataclasses.asdict(doc.metadata),
    }
    table = pa.Table.from_pydict(rows, schema=SCHEMA).replace_schema_metadata(
        {META_KEY: json.dumps(head, ensure_ascii=False).encode("utf-8")}
    )
    return write_atomic(table, cache_path(doc.doc_id, interim_dir), interim_dir)


def write_atomic(table: pa.Table, target: Path | str, interim_dir: str | Path) -> Path | str:
    """Write ``table`` as Parquet at ``target`` so that it appears whole or not at all."""
    if isinstance(target, str):
        return _save_remote(table, target, interim_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _save_remote(table: pa.Table, target: str, interim_dir: str | Path) -> str:
    """Write ``table`` whole to a temporary key, then publish it at ``target``."""
    fs, dst, _ = storage.resolve(target)
    _, tmp, _ = storage.resolve(storage.join(interim_dir, "_tmp", f"{uuid.uuid4().hex}.tmp"))
    try:
        pq.write_table(table, tmp, filesystem=fs, compression="zstd")
        storage.publish(fs, tmp, dst)
    except BaseException:
        storage.delete_file(fs, tmp)
        raise
    return target


def load_parsed(doc_id: str, interim_dir: str | Path) -> ParsedDocument | None:
    """The cached document, or None if not cached (or cached by another parser version).

    Raises :class:`CacheCorrupt` when the file exists but cannot be read.
    """
    path = cache_path(doc_id, interim_dir)
    if not storage.file_exists(path):
        return None
    try:
        fs, fs_path, _ = storage.resolve(path)
        table = pq.read_table(fs_path, filesystem=fs)
        head = json.loads(table.schema.metadata[META_KEY])
    except Exception as exc:  # noqa: BLE001 - any read failure means the entry is unusable
        raise CacheCorrupt(f"{path}: the cached parse cannot be read ({exc})") from None
    if head.get("parser_version") != PARSER_VERSION:
        return None
    try:
        return _rebuild(head, table.to_pylist())
    except (KeyError, TypeError, ValueError) as exc:
        raise CacheCorrupt(f"{path}: the cached parse is incomplete ({exc})") from None


def _rebuild(head: dict, rows: list[dict]) -> ParsedDocument:
    line_fields = [f.name for f in dataclasses.fields(Line)]
    cell_fields = [f.name for f in dataclasses.fields(TableCell)]
    tables = [Table(**{**t, "cells": []}) for t in head["tables"]]
    lines: list[Line] = []
    for r in rows:
        if r["record"] == "line":
            lines.append(Line(**{k: r[k] for k in line_fields}))
        else:
            tables[r["table_index"]].cells.append(TableCell(**{k: r[k] for k in cell_fields}))
    return ParsedDocument(
        doc_id=head["doc_id"],
        file_name=head["file_name"],
        source_path=head["source_path"],
        text=head["text"],
        pages=[PageInfo(**p) for p in head["pages"]],
        lines=lines,
        tables=tables,
        metadata=DocumentMetadata(**head["metadata"]),
        parser_version=head["parser_version"],
    )
