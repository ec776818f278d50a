"""The store's one filesystem abstraction: a root folder on a :mod:`pyarrow.fs` filesystem.

Every file operation of the store goes through :class:`StoreFS`, so pointing the store at
another filesystem (``s3://bucket/prefix`` later) means changing how one is built, not the store.
Only the local filesystem is supported today: moves there are atomic ``rename(2)`` calls.
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq


class StoreFS:
    """Paths relative to a root, on a pyarrow filesystem."""

    def __init__(self, root: str | Path) -> None:
        root = str(root)
        if "://" in root:
            raise NotImplementedError(f"only local stores are supported yet, got {root!r}")
        self.fs: pafs.FileSystem = pafs.LocalFileSystem()
        self.root = str(Path(root).resolve())
        self.is_local = True

    def path(self, *parts: str) -> str:
        """The full path of ``parts`` under the root."""
        return posixpath.join(self.root, *parts)

    def local_path(self, *parts: str) -> Path:
        """The path as a local :class:`Path` (lock files, DuckDB globs)."""
        return Path(self.path(*parts))

    def mkdir(self, rel: str) -> None:
        self.fs.create_dir(self.path(rel), recursive=True)

    def exists(self, rel: str) -> bool:
        return self.fs.get_file_info(self.path(rel)).type != pafs.FileType.NotFound

    def list(self, rel: str, recursive: bool = False) -> list[pafs.FileInfo]:
        """Entries under ``rel`` (none when it does not exist)."""
        sel = pafs.FileSelector(self.path(rel), allow_not_found=True, recursive=recursive)
        return self.fs.get_file_info(sel)

    def list_dirs(self, rel: str) -> list[str]:
        """Names of the folders directly under ``rel``."""
        return sorted(i.base_name for i in self.list(rel) if i.type == pafs.FileType.Directory)

    def list_files(self, rel: str, suffix: str = "", recursive: bool = False) -> list[str]:
        """Paths (relative to the root) of the files under ``rel`` ending in ``suffix``."""
        n = len(self.root) + 1
        return sorted(
            i.path[n:] for i in self.list(rel, recursive)
            if i.type == pafs.FileType.File and i.base_name.endswith(suffix)
        )

    def move(self, src: str, dst: str) -> None:
        """Rename ``src`` to ``dst`` (replacing it): atomic on a local filesystem."""
        self.fs.create_dir(posixpath.dirname(self.path(dst)), recursive=True)
        self.fs.move(self.path(src), self.path(dst))

    def delete(self, rel: str) -> None:
        """Delete a file; a missing file is fine."""
        if self.exists(rel):
            self.fs.delete_file(self.path(rel))

    def write_parquet(self, rel: str, table: pa.Table, row_group_size: int = 65_536) -> None:
        """Write ``table`` to ``rel`` (not atomic by itself: write to a temp path, then move)."""
        self.fs.create_dir(posixpath.dirname(self.path(rel)), recursive=True)
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
        return pq.read_table(self.path(rel), filesystem=self.fs, columns=columns)

    def write_json(self, rel: str, data: Any) -> None:
        self.fs.create_dir(posixpath.dirname(self.path(rel)), recursive=True)
        with self.fs.open_output_stream(self.path(rel)) as f:
            f.write(json.dumps(data).encode())

    def read_json(self, rel: str) -> Any:
        with self.fs.open_input_stream(self.path(rel)) as f:
            return json.loads(f.read().decode())
