"""The store's write lock: one writer process at a time, with a timeout and a clear message.

The lock is a ``flock`` on ``<store>/.fsfdocs.lock`` (via :mod:`filelock`), released by the
kernel when its holder dies, so a killed writer never leaves the store locked. The holder writes
who it is (pid, host, since) next to it, for the message of whoever waits. Within one process
the lock is re-entrant and shared by all threads and :class:`~fsfdocs.store.Store` objects of
the same store.
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

from filelock import FileLock
from filelock import Timeout as FileLockTimeout

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
