"""The store's write lock: one writer process at a time, with a timeout and a clear message.

The lock is a ``flock`` on ``<store>/.fsfdocs.lock`` (via :mod:`filelock`), released by the
kernel when its holder dies, so a killed writer never leaves the store locked. The holder writes
who it is (pid, host, since) next to it, for the message of whoever waits. Within one process
the lock is re-entrant and shared by all threads and :class:`~fsfdocs.store.Store` objects of
the same store.

A store on S3 (``s3://…``) has no ``flock``: its lock is the object ``<prefix>/.fsfdocs.lock``,
created with a conditional put (``If-None-Match: *``, so of two writers exactly one creates it)
holding its owner and an expiry. The holder renews the expiry in the background every third of
the lease (``FSFDOCS_S3_LOCK_LEASE_S``, 120 s); a writer killed without releasing blocks others
for at most one lease, after which the next writer removes the stale object (conditionally on
its ETag, so two waiters cannot both take it) and creates its own.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock
from filelock import Timeout as FileLockTimeout

from fsfdocs import storage

log = logging.getLogger("fsfdocs.store")

LOCK_NAME = ".fsfdocs.lock"
OWNER_NAME = ".fsfdocs.lock.owner"

_LOCKS: dict[str, FileLock] = {}
_REGISTRY_GUARD = threading.Lock()


class StoreLockTimeout(TimeoutError):
    """Another process held the store's lock for longer than we were willing to wait."""


def _file_lock(path: Path) -> FileLock:
    key = str(path.resolve())
    with _REGISTRY_GUARD:
        if key not in _LOCKS:
            _LOCKS[key] = FileLock(key, thread_local=False)
        return _LOCKS[key]


def lock_owner(store_dir: Path) -> str:
    """Who holds (or last held) the lock, in words."""
    try:
        info = json.loads((store_dir / OWNER_NAME).read_text())
        return f"pid {info['pid']} on {info['host']}, since {info['since']}"
    except (OSError, ValueError, KeyError):
        return "another process"


@contextmanager
def store_lock(store_dir: Path, timeout_s: float = 600.0,
               on_acquire: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the store's write lock for the ``with`` block.

    Waits up to ``timeout_s`` seconds (logging who holds it), then raises
    :class:`StoreLockTimeout`. ``on_acquire`` runs when this process first takes the lock
    (the store finishes interrupted commits there).
    """
    store_dir.mkdir(parents=True, exist_ok=True)
    lock = _file_lock(store_dir / LOCK_NAME)
    outermost = not lock.is_locked
    try:
        lock.acquire(timeout=0)
    except FileLockTimeout:
        owner = lock_owner(store_dir)
        log.warning("waiting up to %.0f s for the store lock on %s, held by %s",
                    timeout_s, store_dir, owner)
        t0 = time.monotonic()
        try:
            lock.acquire(timeout=timeout_s)
        except FileLockTimeout:
            raise StoreLockTimeout(
                f"the store {store_dir} is locked by {owner}; gave up after {timeout_s:.0f} s. "
                "Wait for that run to finish, or raise the lock timeout."
            ) from None
        log.warning("got the store lock after %.1f s", time.monotonic() - t0)
    try:
        if outermost:
            (store_dir / OWNER_NAME).write_text(json.dumps({
                "pid": os.getpid(), "host": socket.gethostname(),
                "since": datetime.now(UTC).isoformat(timespec="seconds"),
            }))
            if on_acquire:
                on_acquire()
        yield
    finally:
        lock.release()


# ----------------------------------------------------------------------------- S3 lock
#: Seconds an S3 lock stays valid without renewal (renewed every third of it while held).
S3_LEASE_S = float(os.environ.get("FSFDOCS_S3_LOCK_LEASE_S", "120"))


class _S3Held:
    """This process's hold on one S3 lock object: re-entrant, renewed by a daemon thread."""

    def __init__(self, bucket: str, key: str, lease_s: float) -> None:
        self.bucket, self.key, self.lease_s = bucket, key, lease_s
        self.count = 0
        self.etag: str | None = None
        self.lost = False
        self.guard = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def body(self) -> bytes:
        now = time.time()
        return json.dumps({
            "pid": os.getpid(), "host": socket.gethostname(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
            "expires": now + self.lease_s,
        }).encode()

    def try_create(self, client: Any) -> bool:
        """Create the lock object unless it exists; True when this process now holds it."""
        try:
            resp = client.put_object(Bucket=self.bucket, Key=self.key, Body=self.body(),
                                     IfNoneMatch="*")
        except client.exceptions.ClientError as exc:
            if _code(exc) in ("PreconditionFailed", "412", "ConditionalRequestConflict", "409"):
                return False
            raise
        self.etag = resp["ETag"]
        return True

    def start_renewing(self, client: Any) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._renew, args=(client,), daemon=True,
                                        name=f"fsfdocs-s3-lock-{self.key}")
        self._thread.start()

    def _renew(self, client: Any) -> None:
        while not self._stop.wait(self.lease_s / 3):
            try:  # only if the object is still ours (same ETag)
                resp = client.put_object(Bucket=self.bucket, Key=self.key, Body=self.body(),
                                         IfMatch=self.etag)
                self.etag = resp["ETag"]
            except Exception as exc:  # noqa: BLE001 - a renewal failure must not kill the run
                if _code(exc) in ("PreconditionFailed", "412", "NoSuchKey", "404"):
                    self.lost = True
                    log.error("lost the S3 store lock s3://%s/%s (taken over after expiry)",
                              self.bucket, self.key)
                    return
                log.warning("could not renew the S3 store lock: %s", exc)

    def release(self, client: Any) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if not self.lost and self.etag:
            try:
                client.delete_object(Bucket=self.bucket, Key=self.key, IfMatch=self.etag)
            except client.exceptions.ClientError as exc:
                log.warning("could not release the S3 store lock: %s", exc)
        self.etag, self.lost = None, False


_S3_HELD: dict[str, _S3Held] = {}


def _code(exc: BaseException) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def _s3_owner(client: Any, bucket: str, key: str) -> tuple[str, float, str] | None:
    """``(owner in words, expiry, etag)`` of the lock object, or None if there is none."""
    try:
        obj = client.get_object(Bucket=bucket, Key=key)
    except client.exceptions.ClientError as exc:
        if _code(exc) in ("NoSuchKey", "404"):
            return None
        raise
    try:
        info = json.loads(obj["Body"].read())
        words = f"pid {info['pid']} on {info['host']}, since {info['since']}"
        return words, float(info["expires"]), obj["ETag"]
    except (ValueError, KeyError, TypeError):
        return "another process", 0.0, obj["ETag"]


def _s3_acquire(held: _S3Held, client: Any, url: str, timeout_s: float) -> None:
    t0 = time.monotonic()
    warned = False
    owner = "another process"
    while True:
        if held.try_create(client):
            if warned:
                log.warning("got the store lock after %.1f s", time.monotonic() - t0)
            return
        current = _s3_owner(client, held.bucket, held.key)
        if current is not None:
            owner, expires, etag = current
            if expires < time.time():  # its holder died: remove it, unless someone renewed it
                log.warning("removing the expired S3 store lock of %s on %s", owner, url)
                try:
                    client.delete_object(Bucket=held.bucket, Key=held.key, IfMatch=etag)
                except client.exceptions.ClientError:
                    pass
                continue
        if not warned:
            log.warning("waiting up to %.0f s for the store lock on %s, held by %s",
                        timeout_s, url, owner)
            warned = True
        if time.monotonic() - t0 >= timeout_s:
            raise StoreLockTimeout(
                f"the store {url} is locked by {owner}; gave up after {timeout_s:.0f} s. "
                "Wait for that run to finish, or raise the lock timeout."
            )
        time.sleep(min(1.0, max(0.05, timeout_s / 20)))


@contextmanager
def s3_store_lock(url: str, timeout_s: float = 600.0,
                  on_acquire: Callable[[], None] | None = None,
                  lease_s: float | None = None) -> Iterator[None]:
    """Hold the write lock of the S3 store at ``url`` (``s3://bucket/prefix``) for the block.

    Same contract as :func:`store_lock`: re-entrant within a process, :class:`StoreLockTimeout`
    after ``timeout_s``, ``on_acquire`` when this process first takes it.
    """
    _, fs_path, url = storage.resolve(url)
    bucket, prefix = storage.bucket_key(fs_path)
    key = f"{prefix}/{LOCK_NAME}" if prefix else LOCK_NAME
    client = storage.s3_client()
    with _REGISTRY_GUARD:
        held = _S3_HELD.setdefault(f"{bucket}/{key}",
                                   _S3Held(bucket, key, lease_s or S3_LEASE_S))
    with held.guard:
        outermost = held.count == 0
        if outermost:
            _s3_acquire(held, client, url, timeout_s)
            held.start_renewing(client)
        held.count += 1
    try:
        if outermost and on_acquire:
            on_acquire()
        yield
    finally:
        with held.guard:
            held.count -= 1
            if held.count == 0:
                held.release(client)
