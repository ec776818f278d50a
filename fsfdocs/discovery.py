"""Find the PDFs in the raw folder (or ``s3://`` prefix) that are ready to ingest, with their
content hashes."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.fs as pafs

from fsfdocs import storage

#: Names of files that are being written by a copy tool and must not be read yet.
PARTIAL_SUFFIXES = (".part", ".partial", ".crdownload", ".tmp", ".download")


@dataclass(frozen=True)
class RawFile:
    """A PDF in the raw folder: its path (or URL) and the sha256 of its bytes (the document id)."""

    path: Path | storage.RemotePath
    sha256: str
    size: int

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class Unreadable:
    """A file that could not even be read to hash it."""

    source_path: str
    error_type: str
    message: str


@dataclass
class Discovery:
    """Files ready to ingest, files still settling, and files that could not be read."""

    files: list[RawFile] = field(default_factory=list)
    waiting: list[Path | storage.RemotePath] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)


def largest_first(files: list[RawFile]) -> list[RawFile]:
    """``files`` in the order to process them: largest first, ties by path.

    A larger PDF is, roughly, more work (more pages, or scanned page images that need OCR), and
    starting the longest jobs first keeps one worker from picking up a long one at the end while
    the others sit idle (longest-processing-time-first scheduling).
    """
    return sorted(files, key=lambda f: (-f.size, str(f.path)))


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    """The hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def discover_raw_files(raw_dir: str | Path, settle_s: float = 0.0) -> Discovery:
    """Every ``*.pdf`` under ``raw_dir`` (any case, recursively, hidden files ignored).

    A file modified less than ``settle_s`` seconds ago, or named like a partial download, is
    listed in ``waiting`` instead: it may still be being copied in. Files come sorted by path.
    ``raw_dir`` may be an ``s3://bucket/prefix`` URL: its ``*.pdf`` keys are listed and hashed
    by streaming them (their paths are then URLs).
    """
    if storage.is_url(raw_dir):
        return _discover_remote(str(raw_dir), settle_s)
    raw = Path(raw_dir)
    if not raw.is_dir():
        raise FileNotFoundError(f"{raw}: the raw folder does not exist")
    out = Discovery()
    now = time.time()
    for path in sorted(raw.rglob("*")):
        rel_parts = path.relative_to(raw).parts
        if any(part.startswith(".") for part in rel_parts) or not path.is_file():
            continue
        name = path.name.lower()
        if name.endswith(PARTIAL_SUFFIXES):
            out.waiting.append(path)
            continue
        if not name.endswith(".pdf"):
            continue
        try:
            stat = path.stat()
            if settle_s and now - stat.st_mtime < settle_s:
                out.waiting.append(path)
                continue
            out.files.append(RawFile(path, sha256_of(path), stat.st_size))
        except OSError as exc:
            out.unreadable.append(Unreadable(str(path), type(exc).__name__, f"{path}: {exc}"))
    return out


def _discover_remote(raw_url: str, settle_s: float) -> Discovery:
    """:func:`discover_raw_files` on an object store (same rules, keys instead of files)."""
    fs, root, url = storage.resolve(raw_url)
    infos = fs.get_file_info(pafs.FileSelector(root, allow_not_found=True, recursive=True))
    if not infos and fs.get_file_info(root).type == pafs.FileType.NotFound:
        bucket = storage.bucket_key(root)[0]
        if fs.get_file_info(bucket).type == pafs.FileType.NotFound:
            raise FileNotFoundError(f"{url}: the raw bucket does not exist")
    out = Discovery()
    now = time.time()
    for info in sorted(infos, key=lambda i: i.path):
        rel_parts = info.path[len(root) + 1:].split("/")
        if info.type != pafs.FileType.File or any(p.startswith(".") for p in rel_parts):
            continue
        path = storage.RemotePath(f"{url}/{'/'.join(rel_parts)}")
        name = info.base_name.lower()
        if name.endswith(PARTIAL_SUFFIXES):
            out.waiting.append(path)
            continue
        if not name.endswith(".pdf"):
            continue
        if settle_s and info.mtime is not None and now - info.mtime.timestamp() < settle_s:
            out.waiting.append(path)
            continue
        try:
            out.files.append(RawFile(path, storage.sha256_of(path), info.size or 0))
        except OSError as exc:
            out.unreadable.append(Unreadable(path, type(exc).__name__, f"{path}: {exc}"))
    return out
