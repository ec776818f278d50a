"""The store's one filesystem abstraction: a root folder on a :mod:`pyarrow.fs` filesystem.

Every file operation of the store goes through :class:`StoreFS`. The root is a local folder
(moves are atomic ``rename(2)`` calls) or an ``s3://bucket/prefix`` URL (a move copies the
complete object to its final key, then deletes the source: see :mod:`fsfdocs.storage`).
"""

from __future__ import annotations

import json
import os
import posixpath
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from fsfdocs import storage


class StoreFS:
    """Paths relative to a root, on a pyarrow filesystem."""

    def __init__(self, root: str | Path) -> None:
        self.fs: pafs.FileSystem
        #: ``root`` is the path on ``fs``; ``url`` the location as given (absolute path locally).
        self.fs, self.root, self.url = storage.resolve(root)
        self.is_local = isinstance(self.fs, pafs.LocalFileSystem)

    def path(self, *parts: str) -> str:
        """The full path of ``parts`` under the root."""
        return posixpath.join(self.root, *parts)

    def local_path(self, *parts: str) -> Path:
        """The path as a local :class:`Path` (lock files, DuckDB globs); local stores only."""
        if not self.is_local:
            raise ValueError(f"{self.url} is not a local store")
        return Path(self.path(*parts))

    def uri(self, *parts: str) -> str:
        """The location of ``parts``: a local path, or an ``s3://`` URL."""
        return self.path(*parts) if self.is_local else "s3://" + self.path(*parts)

    def _parent(self, rel: str) -> None:
        if self.is_local:  # object stores have no folders to create
            self.fs.create_dir(posixpath.dirname(self.path(rel)), recursive=True)

    def mkdir(self, rel: str) -> None:
        if self.is_local:
            self.fs.create_dir(self.path(rel), recursive=True)

    def exists(self, rel: str) -> bool:
        return self.fs.get_file_info(self.path(rel)).type != pafs.FileType.NotFound

    def list(self, rel: str, recursive: bool = False) -> list[pafs.FileInfo]:
        """Entries under ``rel`` (none when it does not exist)."""
        sel = pafs.FileSelector(self.path(rel), allow_not_found=True, recursive=recursive)
        return self.fs.get_file_info(sel)

    def _scan(self, rel: str) -> list[os.DirEntry[str]]:
        """Local entries directly under ``rel``: names and types, without a stat per file (a
        pyarrow listing stats each one, which made writing a document cost O(store size))."""
        try:
            with os.scandir(self.path(rel)) as entries:
                return list(entries)
        except (FileNotFoundError, NotADirectoryError):
            return []

    def list_dirs(self, rel: str) -> list[str]:
        """Names of the folders directly under ``rel``."""
        if self.is_local:
            return sorted(e.name for e in self._scan(rel) if e.is_dir())
        return sorted(i.base_name for i in self.list(rel) if i.type == pafs.FileType.Directory)

    def list_files(self, rel: str, suffix: str = "", recursive: bool = False) -> list[str]:
        """Paths (relative to the root) of the files under ``rel`` ending in ``suffix``."""
        if self.is_local and not recursive:
            return sorted(posixpath.join(rel, e.name) for e in self._scan(rel)
                          if e.name.endswith(suffix) and e.is_file())
        n = len(self.root) + 1
        return sorted(
            i.path[n:] for i in self.list(rel, recursive)
            if i.type == pafs.FileType.File and i.base_name.endswith(suffix)
        )

    def move(self, src: str, dst: str) -> None:
        """Publish the complete file ``src`` as ``dst`` (replacing it), removing ``src``:
        an atomic rename locally; on S3 a copy (``dst`` appears whole) then a delete."""
        storage.publish(self.fs, self.path(src), self.path(dst))

    def delete(self, rel: str) -> None:
        """Delete a file; a missing file is fine."""
        storage.delete_file(self.fs, self.path(rel))

    def write_parquet(self, rel: str, table: pa.Table, row_group_size: int = 16_384) -> None:
        """Write ``table`` to ``rel`` (not atomic by itself: write to a temp path, then move)."""
        self._parent(rel)
        pq.write_table(table, self.path(rel), filesystem=self.fs, compression="zstd",
                       row_group_size=row_group_size, write_statistics=True)

    def parquet_metadata(self, rel: str) -> pq.FileMetaData:
        with self.fs.open_input_file(self.path(rel)) as f:
            return pq.read_metadata(f)

    def read_row_groups(self, rel: str, groups: list[int], columns: list[str]) -> pa.Table:
        """Only row groups ``groups`` of a Parquet file."""
        with self.fs.open_input_file(self.path(rel)) as f:
            return pq.ParquetFile(f).read_row_groups(groups, columns=columns)

    def read_parquet(self, rel: str, columns: list[str] | None = None) -> pa.Table:
        # ParquetFile.read: a third cheaper than read_table for the small per-document files.
        with self.fs.open_input_file(self.path(rel)) as f:
            return pq.ParquetFile(f).read(columns=columns)

    def write_json(self, rel: str, data: Any) -> None:
        self._parent(rel)
        with self.fs.open_output_stream(self.path(rel)) as f:
            f.write(json.dumps(data).encode())

    def read_json(self, rel: str) -> Any:
        with self.fs.open_input_stream(self.path(rel)) as f:
            return json.loads(f.read().decode())
