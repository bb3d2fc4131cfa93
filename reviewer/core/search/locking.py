"""The search index's own locks: files in the case folder locked by the operating system, so they hold
between threads (each hold opens the file anew) and between processes, and vanish with a killed holder.

Two are used (see repair.py): `index.lock`, held by the one repair or rebuild while it works, so a second
waits for the first and then finds the index sound; and `index.swap.lock`, held for the instant a rebuilt
index replaces the live one and while a reader opens or refreshes, so a reader never finds it half moved.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from reviewer.core.progress import CancelToken

POLL_SECONDS = 0.02


@contextmanager
def holding(path: Path, cancel: CancelToken | None = None, on_wait: Callable[[], None] | None = None,
            timeout: float | None = None) -> Iterator[None]:
    """Hold the lock on `path` for the block, waiting for another holder (cancellably). `on_wait` is
    called once when the lock is busy; after `timeout` seconds the wait raises TimeoutError."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        started = time.monotonic()
        waited = False
        while not _try_lock(fd):
            if not waited and on_wait is not None:
                on_wait()
            waited = True
            if cancel is not None:
                cancel.raise_if_cancelled()
            if timeout is not None and time.monotonic() - started > timeout:
                raise TimeoutError(f"{path.name} stayed locked for {timeout:.0f} s")
            time.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
