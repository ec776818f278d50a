"""The curated Parquet store: per-document replace, append, read, compact, lock, DuckDB views.

Every write goes through :meth:`Store._commit`: new files are first written completely under
``_tmp/``, a journal lists the renames and deletions, then they are applied and the journal
removed. A writer killed half-way leaves only ``_tmp`` files (never read) or a journal that the
next writer rolls forward when it takes the lock. See docs/adr/0004-parquet-layout.md; for
stores on S3 (``s3://bucket/prefix``), docs/adr/0007-shared-storage-urls.md.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from fsfdocs.store import layout
from fsfdocs.store.fs import StoreFS
from fsfdocs.store.lock import s3_store_lock, store_lock
from schemas import DOCUMENT_TABLES, LOG_TABLES, SCHEMAS, TABLE_SPECS, RecordError, validate

Record = dict[str, Any]

#: Rows per compacted file: bounds what re-ingesting a compacted document rewrites.
PART_ROWS = 250_000

_THREAD_LOCKS: dict[str, threading.RLock] = {}


class Store:
    """A curated store rooted at ``curated_dir``: a local folder or an ``s3://bucket/prefix``."""

    def __init__(self, curated_dir: str | Path, lock_timeout_s: float = 600.0) -> None:
        self.fs = StoreFS(curated_dir)
        #: The local folder (a :class:`Path`), or the store's ``s3://`` URL.
        self.root: Path | str = Path(self.fs.root) if self.fs.is_local else self.fs.url
        self.lock_timeout_s = lock_timeout_s
        self._thread_lock = _THREAD_LOCKS.setdefault(self.fs.root, threading.RLock())

    # ----------------------------------------------------------------- locking and commits
    @contextmanager
    def lock(self, timeout_s: float | None = None) -> Iterator[Store]:
        """Hold the store's write lock (across processes) for a whole run.

        Raises :class:`~fsfdocs.store.lock.StoreLockTimeout` (a ``TimeoutError``) with who holds
        it after ``timeout_s`` seconds. Re-entrant within a process.
        """
        timeout = self.lock_timeout_s if timeout_s is None else timeout_s
        if self.fs.is_local:
            with store_lock(Path(self.fs.root), timeout, on_acquire=self._recover):
                yield self
        else:
            with s3_store_lock(self.fs.url, timeout, on_acquire=self._recover):
                yield self

    @contextmanager
    def _writing(self) -> Iterator[None]:
        with self.lock(), self._thread_lock:
            yield

    def _commit(self, moves: list[tuple[str, str]], deletes: list[str]) -> None:
        """Apply renames then deletions, journalled so an interrupted commit is rolled forward."""
        if not moves and not deletes:
            return
        journal = f"{layout.JOURNAL_DIR}/{uuid.uuid4().hex}.json"
        tmp = layout.tmp_file()
        self.fs.write_json(tmp, {"moves": moves, "deletes": deletes})
        self.fs.move(tmp, journal)
        self._apply(moves, deletes)
        self.fs.delete(journal)

    def _apply(self, moves: list[tuple[str, str]], deletes: list[str]) -> None:
        for src, dst in moves:
            if self.fs.exists(src):
                self.fs.move(src, dst)
        for rel in deletes:
            self.fs.delete(rel)

    def _recover(self) -> None:
        """Roll forward journals left by a killed writer; drop its orphan temp files."""
        for journal in self.fs.list_files(layout.JOURNAL_DIR, ".json"):
            data = self.fs.read_json(journal)
            self._apply([tuple(m) for m in data["moves"]], data["deletes"])
            self.fs.delete(journal)
        for rel in self.fs.list_files(layout.TMP_DIR):
            self.fs.delete(rel)

    def _write_tmp(self, table: pa.Table) -> str:
        rel = layout.tmp_file()
        self.fs.write_parquet(rel, table)
        return rel

    # ----------------------------------------------------------------- finding files
    def _files(self, table: str) -> list[str]:
        return self.fs.list_files(table, layout.PARQUET, recursive=True)

    def _part_holds(self, rel: str, doc_id: str) -> bool:
        """Whether compacted file ``rel`` holds rows of ``doc_id`` (row-group stats first)."""
        md = self.fs.parquet_metadata(rel)
        col = md.schema.to_arrow_schema().get_field_index("doc_id")
        groups = []
        for i in range(md.num_row_groups):
            st = md.row_group(i).column(col).statistics
            if st is None or not st.has_min_max or st.min <= doc_id <= st.max:
                groups.append(i)
        if not groups:
            return False
        ids = self.fs.read_row_groups(rel, groups, ["doc_id"]).column("doc_id")
        return bool(pc.any(pc.equal(ids, doc_id)).as_py())

    def _locate(self, table: str, doc_id: str, *, reading: bool = False
                ) -> tuple[list[str], list[str]]:
        """The per-document files and the compacted files of ``table`` holding ``doc_id``.

        ``reading``: a document with a file of its own has no rows in compacted files (writing
        it removed them from there, in the same commit), so then those are not searched.
        Writers search them anyway, so that they would still clean up.
        """
        own, candidates = [], []
        for part_dir in self.fs.list_dirs(table):
            folder = f"{table}/{part_dir}"
            for rel in self.fs.list_files(folder, layout.PARQUET):
                if layout.doc_id_of(rel) == doc_id:
                    own.append(rel)
                elif layout.is_part(rel):
                    candidates.append(rel)
        if own and reading:
            return own, []
        return own, [rel for rel in candidates if self._part_holds(rel, doc_id)]

    # ----------------------------------------------------------------- writing
    def replace_document_rows(
        self,
        doc_id: str,
        doc_type: str | None,
        year: int | None,
        tables: dict[str, list[Record]],
        run_id: str,
        rules_version: str | None = None,
        report_errors: bool = True,
    ) -> list[str]:
        """Replace one document's rows in each table of ``tables`` (others are kept).

        Every record is stamped with ``doc_id``, ``doc_type`` (partition), ``year``, ``run_id``
        and ``rules_version`` and validated first. Returns the validation errors as text: when
        there are any nothing is written (the old rows stay) and, with ``report_errors``, one
        ``errors`` row says why. A document whose ``doc_type``/``year`` changed moves with all
        its rows; rows merged into compacted files are removed from them.
        """
        doc_type = doc_type or "ovrigt"
        new: dict[str, pa.Table] = {}
        errors: list[RecordError] = []
        for name, records in tables.items():
            if name not in DOCUMENT_TABLES:
                errors.append(RecordError(name, -1, None, "not a per-document table"))
                continue
            stamped = []
            for i, rec in enumerate(records):
                if rec.get("doc_id", doc_id) != doc_id:
                    errors.append(RecordError(name, i, "doc_id", f"belongs to {rec['doc_id']}"))
                stamped.append({**rec, "doc_id": doc_id, "doc_type": doc_type, "year": year,
                                "run_id": rec.get("run_id") or run_id,
                                "rules_version": rec.get("rules_version") or rules_version})
            table, errs = validate(name, stamped)
            errors += errs
            if table is not None:
                new[name] = table
        if errors:
            messages = [str(e) for e in errors]
            if report_errors:
                docs = tables.get("documents") or [{}]
                src = docs[0].get("source_path") if isinstance(docs[0], dict) else None
                self._report("validate", src or f"doc:{doc_id}", doc_id, messages, run_id)
            return messages
        with self._writing():
            self._replace(doc_id, doc_type, year, new, keep_others=True)
        return []

    def delete_document(self, doc_id: str) -> None:
        """Remove every row of ``doc_id`` from every per-document table."""
        with self._writing():
            empty = {name: SCHEMAS[name].empty_table() for name in DOCUMENT_TABLES}
            self._replace(doc_id, "ovrigt", None, empty, keep_others=False)

    def _replace(self, doc_id: str, doc_type: str, year: int | None, new: dict[str, pa.Table],
                 keep_others: bool) -> None:
        moves: list[tuple[str, str]] = []
        deletes: list[str] = []
        for name in DOCUMENT_TABLES:
            own, parts = self._locate(name, doc_id)
            target = layout.doc_file(name, doc_type, doc_id)
            if name in new:
                rows = new[name]
            elif keep_others and (own or parts):
                rows = self._rows_of(name, own + parts, doc_id)
                if own == [target] and not parts and _stamped_as(rows, doc_type, year):
                    continue  # already where and as it should be
                rows = _restamp(rows, doc_type, year)
            else:
                continue
            if rows.num_rows:
                moves.append((self._write_tmp(rows), target))
            deletes += [f for f in own if f != target or not rows.num_rows]
            for rel in parts:
                rest = self.fs.read_parquet(rel).filter(pc.field("doc_id") != doc_id)
                if rest.num_rows:
                    moves.append((self._write_tmp(rest), rel))
                else:
                    deletes.append(rel)
        self._commit(moves, deletes)

    def _rows_of(self, table: str, files: list[str], doc_id: str) -> pa.Table:
        if len(files) == 1 and layout.doc_id_of(files[0]) == doc_id:
            data = self.fs.read_parquet(files[0])  # the document's own file: all of it is its
            if data.schema == SCHEMAS[table]:
                return data
        data = self._dataset(table, files).to_table(filter=pc.field("doc_id") == doc_id)
        return data.cast(SCHEMAS[table])

    def append(self, table: str, records: list[Record], report_errors: bool = True) -> list[str]:
        """Append ``records`` to a log table (``errors``, ``runs``, ``extraction_diffs``).

        All or nothing: returns the validation errors as text (and, with ``report_errors``,
        adds an ``errors`` row) when any record does not fit; one new file otherwise.
        """
        if table not in LOG_TABLES:
            raise ValueError(f"{table!r} is not an append-only table; use replace_document_rows")
        if not records:
            return []
        data, errs = validate(table, records)
        if errs:
            messages = [str(e) for e in errs]
            if report_errors and table != "errors":
                run_id = next((r.get("run_id") for r in records if isinstance(r, dict)), None)
                self._report("validate", f"table:{table}", None, messages, run_id)
            return messages
        with self._writing():
            self._commit([(self._write_tmp(data), layout.append_file(table))], [])
        return []

    def _report(self, stage: str, source: str, sha: str | None, messages: list[str],
                run_id: Any) -> None:
        text = "; ".join(messages)
        if len(text) > 4000:
            text = text[:4000] + f"… ({len(messages)} errors)"
        self.append("errors", [{
            "source_path": source, "sha256": sha, "stage": stage, "error_type": "SchemaError",
            "message": text, "occurred_at": datetime.now(UTC),
            "run_id": run_id if isinstance(run_id, str) else None,
        }], report_errors=False)

    # ----------------------------------------------------------------- reading
    def _dataset(self, table: str, files: list[str]) -> ds.Dataset:
        return ds.dataset([self.fs.path(f) for f in files], schema=SCHEMAS[table],
                          format="parquet", filesystem=self.fs.fs)

    def read(self, table: str, doc_id: str | None = None,
             columns: list[str] | None = None) -> pa.Table:
        """The rows of ``table`` (of one document if ``doc_id``), typed by its schema."""
        schema = SCHEMAS[table]
        for attempt in range(3):  # a concurrent compaction may remove a listed file
            files = self._files(table)
            if not files:
                empty = schema.empty_table()
                return empty.select(columns) if columns else empty
            try:
                filt = pc.field("doc_id") == doc_id if doc_id is not None else None
                return self._dataset(table, files).to_table(columns=columns, filter=filt)
            except FileNotFoundError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def read_document_rows(self, doc_id: str, tables: tuple[str, ...] | list[str]
                           ) -> dict[str, list[Record]]:
        """One document's rows of each of ``tables``, as records (cost independent of store size:
        only the document's own file and the compacted files whose statistics admit it are read).
        """
        out: dict[str, list[Record]] = {}
        for name in tables:
            own, parts = self._locate(name, doc_id, reading=True)
            out[name] = self._rows_of(name, own + parts, doc_id).to_pylist() if own or parts else []
        return out

    # ----------------------------------------------------------------- history
    def snapshot_history(self, run_id: str, doc_id: str, rows: dict[str, list[Record]]) -> None:
        """Keep the rows run ``run_id`` is about to replace, under
        ``_history/<table>/replaced_by=<run_id>/`` (each row keeps the ``run_id`` that wrote it).
        """
        with self._writing():  # temp files after taking the lock: taking it clears ``_tmp/``
            moves = []
            for name, records in rows.items():
                if records:
                    data = pa.Table.from_pylist(records, schema=SCHEMAS[name])
                    moves.append((self._write_tmp(data),
                                  layout.history_file(name, run_id, doc_id)))
            self._commit(moves, [])

    def history_glob(self, table: str) -> str:
        """The ``read_parquet`` glob of the replaced rows of ``table`` (hive: ``replaced_by``)."""
        return str(self.fs.local_path(layout.HISTORY_DIR, table)) + "/**/*.parquet"

    def history_files(self, table: str) -> list[str]:
        """The history files of ``table``."""
        return self.fs.list_files(f"{layout.HISTORY_DIR}/{table}", layout.PARQUET, recursive=True)

    def document_history(self, doc_prefix: str) -> list[Record]:
        """The runs that touched a document (id or unique prefix), oldest first.

        For each run: when, which flow, what it did to the document (ingested, re-extracted,
        failed) and the number of record changes it recorded.
        """
        con = self.connect()
        docs = con.execute(
            "SELECT DISTINCT doc_id FROM documents WHERE doc_id LIKE ? "
            "UNION SELECT DISTINCT sha256 FROM errors WHERE sha256 LIKE ?",
            [doc_prefix + "%", doc_prefix + "%"],
        ).fetchall()
        if len(docs) != 1:
            if len(docs) > 1:
                raise KeyError(f"{doc_prefix!r} matches {len(docs)} documents; give more of the id")
            return []
        doc_id = docs[0][0]
        history = [f for name in DOCUMENT_TABLES
                   for f in self.history_files(name) if layout.doc_id_of(f) == doc_id]
        # read with pyarrow (local or S3 alike); the rows keep the run that wrote them
        replaced_runs = pa.concat_tables(
            [self.fs.read_parquet(f, columns=["run_id"]) for f in history]
        ) if history else pa.table({"run_id": pa.array([], pa.string())})
        con.register("__replaced_runs", replaced_runs)
        replaced = "SELECT DISTINCT run_id FROM __replaced_runs"
        sql = f"""
            WITH touched AS (
                SELECT run_id, 'wrote the current rows' AS what FROM documents WHERE doc_id = ?
                UNION ALL SELECT run_id, 'rows replaced later' FROM ({replaced})
                UNION ALL SELECT run_id, 'failed: ' || stage || ' ' || error_type
                    FROM errors WHERE sha256 = ?
                UNION ALL SELECT DISTINCT run_id, 're-extracted' FROM extraction_diffs
                    WHERE doc_id = ?
            ), changes AS (
                SELECT run_id, count(*) AS record_changes FROM extraction_diffs
                WHERE doc_id = ? GROUP BY run_id
            )
            SELECT t.run_id, r.flow, r.started_at, r.rules_version,
                   string_agg(DISTINCT t.what, ', ') AS what,
                   coalesce(max(c.record_changes), 0) AS record_changes
            FROM touched t LEFT JOIN runs r USING (run_id) LEFT JOIN changes c USING (run_id)
            GROUP BY ALL ORDER BY r.started_at NULLS LAST, t.run_id
        """
        params = [doc_id, doc_id, doc_id, doc_id]
        cur = con.execute(sql, params)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def known_doc_ids(self) -> set[str]:
        """Ids of every document in the store (file names, plus compacted files' ``doc_id``)."""
        ids: set[str] = set()
        parts = []
        for rel in self._files("documents"):
            doc = layout.doc_id_of(rel)
            if doc:
                ids.add(doc)
            else:
                parts.append(rel)
        if parts:
            ids.update(self._dataset("documents", parts).to_table(columns=["doc_id"])
                       .column("doc_id").to_pylist())
        return ids

    def versions_by_path(self) -> dict[str, dict[str, datetime | None]]:
        """Each source path in ``documents``, with the ids of the documents ingested from it and
        their ``first_seen``. One read of the table: a run takes it once, under the store's lock."""
        data = self.read("documents", columns=["source_path", "doc_id", "first_seen"])
        out: dict[str, dict[str, datetime | None]] = {}
        for path, doc_id, seen in zip(data.column("source_path").to_pylist(),
                                      data.column("doc_id").to_pylist(),
                                      data.column("first_seen").to_pylist(), strict=True):
            out.setdefault(path, {})[doc_id] = seen
        return out

    def retire_other_versions(
        self, source_path: str, keep_doc_id: str,
        versions: dict[str, dict[str, datetime | None]] | None = None,
    ) -> list[str]:
        """Delete the documents ingested from ``source_path`` other than ``keep_doc_id``.

        ``versions`` is :meth:`versions_by_path` taken earlier under the same lock; without it
        the ``documents`` table is read here (per document of a run, that grew with the store).
        """
        known = versions if versions is not None else self.versions_by_path()
        old = sorted(d for d in known.get(source_path, {}) if d != keep_doc_id)
        for doc_id in old:
            self.delete_document(doc_id)
        return old

    def table_files(self, table: str) -> list[Path] | list[str]:
        """The Parquet files of ``table``: local paths, or ``s3://`` URLs on S3."""
        if self.fs.is_local:
            return [self.fs.local_path(f) for f in self._files(table)]
        return [self.fs.uri(f) for f in self._files(table)]

    def table_dataset(self, table: str) -> ds.Dataset | None:
        """A pyarrow dataset of ``table``'s current files (None when it has none); on any
        filesystem, S3 included: DuckDB queries it without any extension."""
        files = self._files(table)
        return self._dataset(table, files) if files else None

    def history_dataset(self, table: str) -> ds.Dataset | None:
        """A pyarrow dataset of ``table``'s replaced rows, with the ``replaced_by`` column."""
        files = self.history_files(table)
        if not files:
            return None
        hive = ds.partitioning(pa.schema([("replaced_by", pa.string())]), flavor="hive")
        schema = SCHEMAS[table].append(pa.field("replaced_by", pa.string()))
        return ds.dataset([self.fs.path(f) for f in files], schema=schema, format="parquet",
                          filesystem=self.fs.fs, partitioning=hive,
                          partition_base_dir=self.fs.path(layout.HISTORY_DIR, table))

    def glob(self, table: str) -> str:
        """The ``read_parquet`` glob of ``table`` (local stores)."""
        return str(self.fs.local_path(table)) + "/**/*.parquet"

    def connect(self, database: str = ":memory:") -> Any:
        """A DuckDB connection with one view per table (see :mod:`fsfdocs.store.views`)."""
        from fsfdocs.store.views import connect

        return connect(self, database)

    # ----------------------------------------------------------------- compaction
    def compact(self, tables: list[str] | None = None, max_rows: int = PART_ROWS
                ) -> dict[str, tuple[int, int]]:
        """Merge each folder's small files into ``part-*`` files of up to ``max_rows`` rows.

        Files already holding at least ``max_rows // 2`` rows are left alone, so compaction work
        stays proportional to what was written since the last one. Rows are not changed (only
        their order). Returns ``{table: (files_before, files_after)}``.
        """
        stats = {}
        with self._writing():
            for name in tables or list(SCHEMAS):
                before = len(self._files(name))
                folders = ([f"{name}/{d}" for d in self.fs.list_dirs(name)]
                           if name in DOCUMENT_TABLES else [name])
                for folder in folders:
                    self._compact_folder(name, folder, max_rows)
                stats[name] = (before, len(self._files(name)))
        return stats

    def _compact_folder(self, table: str, folder: str, max_rows: int) -> None:
        small = [f for f in self.fs.list_files(folder, layout.PARQUET)
                 if self.fs.parquet_metadata(f).num_rows < max_rows // 2]
        if len(small) < 2:
            return
        data = self._dataset(table, small).to_table()
        keys = [k for k in (*TABLE_SPECS[table].sort_by, "char_start", "record_id")
                if k in data.column_names]
        data = data.sort_by([(k, "ascending") for k in dict.fromkeys(keys)])
        moves = [(self._write_tmp(data.slice(i, max_rows)), layout.part_file(folder))
                 for i in range(0, data.num_rows, max_rows)]
        self._commit(moves, small)

    def bulk_load(self, table: str, data: pa.Table, folder_of: str | None = None) -> None:
        """Write already validated rows straight into compacted files (benchmarks, migrations).

        ``data`` must have the table's schema; document tables are split by ``doc_type``.
        """
        data = data.cast(SCHEMAS[table])
        with self._writing():
            if table in LOG_TABLES:
                groups = {table: data}
            else:
                groups = {layout.partition_dir(table, t): data.filter(pc.field("doc_type") == t)
                          for t in pc.unique(data.column("doc_type")).to_pylist()}
            moves = []
            for folder, rows in groups.items():
                rows = rows.sort_by([("doc_id", "ascending")]) if "doc_id" in rows.column_names \
                    else rows
                for i in range(0, rows.num_rows, PART_ROWS):
                    moves.append((self._write_tmp(rows.slice(i, PART_ROWS)),
                                  layout.part_file(folder)))
            self._commit(moves, [])


def _stamped_as(rows: pa.Table, doc_type: str, year: int | None) -> bool:
    types = set(rows.column("doc_type").to_pylist())
    years = set(rows.column("year").to_pylist())
    return types <= {doc_type} and years <= {year}


def _restamp(rows: pa.Table, doc_type: str, year: int | None) -> pa.Table:
    n = rows.num_rows
    rows = rows.set_column(rows.schema.get_field_index("doc_type"), rows.schema.field("doc_type"),
                           pa.array([doc_type] * n, pa.string()))
    return rows.set_column(rows.schema.get_field_index("year"), rows.schema.field("year"),
                           pa.array([year] * n, pa.int32()))
