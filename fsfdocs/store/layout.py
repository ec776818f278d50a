"""Where each table's files live in the store (see docs/adr/0004-parquet-layout.md).

``<table>/doc_type=<doc_type>/doc-<doc_id>.parquet``  one document's rows (document tables)
``<table>/doc_type=<doc_type>/part-<uuid>.parquet``   rows of many documents, by ``compact``
``<table>/<utc-time>-<uuid>.parquet``                 one append (log tables), ``part-*`` merged
``_history/<table>/replaced_by=<run>/doc-<id>.parquet`` rows a re-extraction replaced
``_tmp/``, ``_journal/``                              in-flight writes; outside every table, so
                                                      the read glob never sees them
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

TMP_DIR = "_tmp"
HISTORY_DIR = "_history"
JOURNAL_DIR = "_journal"
DOC_PREFIX = "doc-"
PART_PREFIX = "part-"
PARQUET = ".parquet"


def partition_dir(table: str, doc_type: str) -> str:
    return f"{table}/doc_type={doc_type}"


def doc_file(table: str, doc_type: str, doc_id: str) -> str:
    return f"{partition_dir(table, doc_type)}/{DOC_PREFIX}{doc_id}{PARQUET}"


def history_file(table: str, run_id: str, doc_id: str) -> str:
    return f"{HISTORY_DIR}/{table}/replaced_by={run_id}/{DOC_PREFIX}{doc_id}{PARQUET}"


def part_file(folder: str) -> str:
    return f"{folder}/{PART_PREFIX}{uuid.uuid4().hex}{PARQUET}"


def append_file(table: str) -> str:
    return f"{table}/{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}{PARQUET}"


def tmp_file() -> str:
    return f"{TMP_DIR}/{uuid.uuid4().hex}{PARQUET}.tmp"


def doc_id_of(name: str) -> str | None:
    """The document id in a per-document file name, else None."""
    base = name.rsplit("/", 1)[-1]
    if base.startswith(DOC_PREFIX) and base.endswith(PARQUET):
        return base[len(DOC_PREFIX):-len(PARQUET)]
    return None


def is_part(name: str) -> bool:
    return name.rsplit("/", 1)[-1].startswith(PART_PREFIX)
