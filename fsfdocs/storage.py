"""Where fsfdocs reads and writes: local paths or ``s3://bucket/prefix`` URLs, in one place.

Raw PDFs, the parse cache and the curated store all accept either. S3 (and S3-compatible
servers) is configured from the standard AWS environment (see docs/adr/0007):

``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` (/ ``AWS_SESSION_TOKEN``)  credentials
``AWS_DEFAULT_REGION`` or ``AWS_REGION``                                       region (us-east-1)
``FSFDOCS_S3_ENDPOINT``, else ``AWS_ENDPOINT_URL_S3``, else ``AWS_ENDPOINT_URL``  endpoint of an
                                                                    S3-compatible server

S3 has no rename: :func:`publish` copies the complete temporary object to its final key, then
deletes the temporary one. A copy creates the final object whole (or not at all), so a reader
never sees a partial object. Copies and deletes go through boto3 rather than pyarrow, because
pyarrow recreates a "directory marker" object for a folder whose last object it deleted.
"""

from __future__ import annotations

import functools
import hashlib
import os
import posixpath
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

if TYPE_CHECKING:  # imported where used, so that the CLI starts without loading pyarrow
    import pyarrow.fs as pafs

S3_SCHEMES = ("s3", "s3a")
DEFAULT_REGION = "us-east-1"


class RemotePath(str):
    """A URL that, like a :class:`~pathlib.Path`, has a ``name`` (``str(p)`` is the URL)."""

    @property
    def name(self) -> str:
        return posixpath.basename(self.rstrip("/"))


def is_url(location: str | Path) -> bool:
    """Whether ``location`` is a remote URL (``s3://…``) rather than a local path."""
    text = str(location)
    return "://" in text and not text.startswith("file://")


def is_s3(location: str | Path) -> bool:
    return urlparse(str(location)).scheme in S3_SCHEMES


def _local(location: str | Path) -> str:
    text = str(location)
    return text[len("file://"):] if text.startswith("file://") else text


def s3_endpoint() -> str | None:
    """The S3 endpoint URL from the environment (None: AWS itself)."""
    for var in ("FSFDOCS_S3_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"):
        if os.environ.get(var):
            return os.environ[var]
    return None


def s3_region() -> str:
    return os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or DEFAULT_REGION


def _s3_key(location: str) -> tuple[str, str]:
    """``(fs path, normalised URL)`` of an ``s3://bucket/prefix`` URL."""
    parsed = urlparse(location)
    if parsed.scheme not in S3_SCHEMES or not parsed.netloc:
        raise ValueError(f"{location!r}: expected s3://bucket[/prefix]")
    path = posixpath.join(parsed.netloc, parsed.path.strip("/")).rstrip("/")
    return path, f"s3://{path}"


@functools.cache
def s3_filesystem(endpoint: str | None = None, region: str = DEFAULT_REGION) -> pafs.S3FileSystem:
    """pyarrow's S3 filesystem for ``endpoint`` (credentials from the AWS environment)."""
    import pyarrow.fs as pafs

    kwargs: dict[str, Any] = {"region": region}
    if endpoint:
        ep = urlparse(endpoint)
        kwargs.update(endpoint_override=ep.netloc or ep.path, scheme=ep.scheme or "https")
    return pafs.S3FileSystem(**kwargs)


@functools.cache
def _client(endpoint: str | None, region: str) -> Any:
    import boto3

    return boto3.session.Session().client("s3", endpoint_url=endpoint, region_name=region)


def s3_client() -> Any:
    """A boto3 S3 client configured like :func:`s3_filesystem` (cached per endpoint)."""
    return _client(s3_endpoint(), s3_region())


def resolve(location: str | Path) -> tuple[pafs.FileSystem, str, str]:
    """``(filesystem, path on it, canonical location)`` of a local path or URL.

    A local path is made absolute; an ``s3://`` URL maps to ``bucket/prefix`` on pyarrow's S3
    filesystem. Other URL schemes are refused.
    """
    import pyarrow.fs as pafs

    text = str(location)
    if not is_url(text):
        path = str(Path(_local(text)).resolve())
        return pafs.LocalFileSystem(), path, path
    if not is_s3(text):
        raise ValueError(f"{text!r}: only local paths and s3:// URLs are supported")
    path, url = _s3_key(text)
    return s3_filesystem(s3_endpoint(), s3_region()), path, url


def join(location: str | Path, *parts: str) -> str:
    """``location`` with ``parts`` appended (a URL stays a URL)."""
    if is_url(location):
        return posixpath.join(str(location).rstrip("/"), *parts)
    return str(Path(_local(location)).joinpath(*parts))


def bucket_key(fs_path: str) -> tuple[str, str]:
    """Bucket and key of an S3 filesystem path ``bucket/key``."""
    bucket, _, key = fs_path.partition("/")
    return bucket, key


def publish(fs: pafs.FileSystem, src: str, dst: str) -> None:
    """Make the complete file ``src`` appear at ``dst`` (replacing it) and remove ``src``.

    Local: an atomic rename. S3: copy (the new object appears whole) then delete the source.
    """
    import pyarrow.fs as pafs

    if isinstance(fs, pafs.S3FileSystem):
        client = s3_client()
        sb, sk = bucket_key(src)
        db, dk = bucket_key(dst)
        client.copy({"Bucket": sb, "Key": sk}, db, dk)  # managed: multipart above 8 MB
        client.delete_object(Bucket=sb, Key=sk)
        return
    fs.create_dir(posixpath.dirname(dst), recursive=True)
    fs.move(src, dst)


def delete_file(fs: pafs.FileSystem, path: str) -> None:
    """Delete a file; a missing one is fine (S3: no directory marker is left behind)."""
    import pyarrow.fs as pafs

    if isinstance(fs, pafs.S3FileSystem):
        bucket, key = bucket_key(path)
        s3_client().delete_object(Bucket=bucket, Key=key)
    elif fs.get_file_info(path).type != pafs.FileType.NotFound:
        fs.delete_file(path)


def file_exists(location: str | Path) -> bool:
    """Whether ``location`` is an existing file."""
    import pyarrow.fs as pafs

    fs, path, _ = resolve(location)
    return fs.get_file_info(path).type == pafs.FileType.File


def sha256_of(location: str | Path, chunk: int = 1 << 20) -> str:
    """The hex sha256 of a file's bytes, streamed (local path or URL)."""
    fs, path, _ = resolve(location)
    h = hashlib.sha256()
    with fs.open_input_stream(path) as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


@contextmanager
def local_copy(location: str | Path) -> Iterator[Path]:
    """A local path with the file's bytes: the file itself, or a temporary copy of a URL's
    object (deleted when the block ends). Tools that need a real file (the PDF parser) use it.
    """
    if not is_url(location):
        yield Path(_local(location))
        return
    fs, path, _ = resolve(location)
    tmp_dir = Path(tempfile.mkdtemp(prefix="fsfdocs-fetch-"))
    target = tmp_dir / (posixpath.basename(path) or "object")
    try:
        with fs.open_input_stream(path) as src, open(target, "wb") as dst:
            while block := src.read(1 << 20):
                dst.write(block)
        yield target
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


def count_files(location: str | Path, suffix: str) -> int:
    """How many files under ``location`` (recursively) end in ``suffix`` (any case); 0 when
    it does not exist."""
    import pyarrow.fs as pafs

    if not is_url(location):
        root = Path(_local(location))
        if not root.is_dir():
            return 0
        return sum(1 for p in root.rglob("*") if p.name.lower().endswith(suffix))
    fs, path, _ = resolve(location)
    infos = fs.get_file_info(pafs.FileSelector(path, allow_not_found=True, recursive=True))
    return sum(1 for i in infos
               if i.type == pafs.FileType.File and i.base_name.lower().endswith(suffix))


def absolute(location: str | Path) -> str:
    """A local path made absolute, or a URL as is (for runs started elsewhere)."""
    return str(location) if is_url(location) else str(Path(_local(location)).resolve())
